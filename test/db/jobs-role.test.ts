/**
 * The jobs role (the job queue's login) is held to pg-boss's tables: as
 * that role, an attacker with the server's job queue connection tries to
 * read tenant data, create objects, create a queue (DDL), and become
 * another role; each is refused and changes nothing. The app role cannot
 * reach job rows (no RLS there). And the queue, started as the jobs role,
 * names what `migrate` must do when its schema or a queue is missing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  installJobQueue,
  JOBS_SCHEMA,
  startJobQueue,
  type RunningJobQueue,
} from '../../src/db/jobs.js';
import { quoteIdent, roleNames } from '../../src/db/roles.js';
import { ROTATION_QUEUE } from '../../src/modules/keys/rotation/jobs.js';

const roles = roleNames(inject('rolePrefix'));
let jobs: pg.Client;
let app: pg.Client;
let admin: pg.Client;

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

beforeAll(async () => {
  jobs = await connect(inject('jobsUrl'));
  app = await connect(inject('appUrl'));
  admin = await connect(inject('adminUrl'));
});
afterAll(async () => {
  await jobs.end();
  await app.end();
  await admin.end();
});

const denied = { code: '42501' };

describe('the jobs role', () => {
  it('logs in as itself, not a superuser', async () => {
    const { rows } = await jobs.query<{ user: string; super: string }>(
      "select current_user as user, current_setting('is_superuser') as super",
    );
    expect(rows[0]).toEqual({ user: roles.jobs, super: 'off' });
  });

  it('reads and writes nothing in wardroom', async () => {
    await expect(jobs.query('select * from wardroom.workrooms')).rejects.toMatchObject(denied);
    await expect(jobs.query('select * from wardroom.audit_log')).rejects.toMatchObject(denied);
    await expect(jobs.query('select wardroom.list_workspace_ids()')).rejects.toMatchObject(denied);
  });

  it('creates nothing: no table in the queue schema, no schema, no queue', async () => {
    await expect(jobs.query(`create table ${JOBS_SCHEMA}.evil (x int)`)).rejects.toMatchObject(
      denied,
    );
    await expect(jobs.query('create schema evil')).rejects.toMatchObject(denied);
    await expect(jobs.query('create table public.evil (x int)')).rejects.toMatchObject(denied);
    // A new queue is a new partition: DDL, refused, and its queue row rolled back with it.
    await expect(
      jobs.query(`select ${JOBS_SCHEMA}.create_queue('evil', '{"policy":"standard"}'::json)`),
    ).rejects.toMatchObject(denied);
    const { rows } = await admin.query(`select 1 from ${JOBS_SCHEMA}.queue where name = 'evil'`);
    expect(rows).toEqual([]);
  });

  it('cannot become the owner, app or ops role', async () => {
    for (const role of [roles.owner, roles.app, roles.ops]) {
      await expect(jobs.query(`set role ${quoteIdent(role)}`), role).rejects.toMatchObject(denied);
    }
  });

  it('works the queue: sends and reads its jobs', async () => {
    const { rows } = await jobs.query<{ name: string }>(
      `select name from ${JOBS_SCHEMA}.queue where name = $1`,
      [ROTATION_QUEUE],
    );
    expect(rows).toEqual([{ name: ROTATION_QUEUE }]);
  });
});

describe('the app role', () => {
  it('cannot reach the job queue', async () => {
    await expect(app.query(`select * from ${JOBS_SCHEMA}.job`)).rejects.toMatchObject(denied);
    await expect(
      app.query(`select ${JOBS_SCHEMA}.create_queue('evil', '{}'::json)`),
    ).rejects.toMatchObject(denied);
  });
});

describe('the queue started as the jobs role', () => {
  let queue: RunningJobQueue | undefined;
  afterAll(async () => {
    await queue?.stop({ graceful: false });
  });

  it('refuses a schema that migrate has not installed, naming migrate', async () => {
    const schema = `wardroom_jobs_${randomBytes(4).toString('hex')}`;
    await expect(
      startJobQueue(inject('jobsUrl'), { schema, supervise: false }),
    ).rejects.toMatchObject({
      code: 'migration_required',
      message: `job queue schema ${schema}: pg-boss is not installed; run \`wardroom migrate\``,
    });
  });

  it('refuses a queue that migrate has not declared, and finds a declared one', async () => {
    queue = await startJobQueue(inject('jobsUrl'), { supervise: false });
    await expect(queue.createQueue('undeclared')).rejects.toMatchObject({
      code: 'migration_required',
      message: `job queue undeclared is not installed in ${JOBS_SCHEMA}: run \`wardroom migrate\``,
    });
    await expect(queue.createQueue(ROTATION_QUEUE)).resolves.toBeUndefined();
  });
});

describe('stopping the job queue', () => {
  it('drops, not rejects, the late completion of a job that outlived a graceful stop', async () => {
    const schema = `wardroom_jobs_${randomBytes(4).toString('hex')}`;
    await installJobQueue(inject('adminUrl'), roles.jobs, {
      schema,
      declareQueues: (q) => q.createQueue('slow'),
    });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const queue = await startJobQueue(inject('jobsUrl'), { schema, supervise: false });
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const started = new Promise<void>((resolve) => {
        void queue.work('slow', { pollingIntervalSeconds: 0.5 }, async () => {
          resolve();
          await held;
        });
      });
      await queue.send('slow', {});
      await started;
      // The job is still running when the stop's timeout ends: pg-boss fails it and the pool closes.
      await queue.stop({ graceful: true, timeout: 1000 });
      release();
      // The worker's unawaited complete() runs now, against the closed pool.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await admin.query(`drop schema ${quoteIdent(schema)} cascade`);
    }
  });
});
