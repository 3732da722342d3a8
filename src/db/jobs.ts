/**
 * The job queue: pg-boss on the same PostgreSQL, in its own schema
 * `wardroom_jobs`. Two halves, with different rights:
 *
 * - installJobQueue(), run by `migrate` on the administrative connection,
 *   creates or upgrades pg-boss's schema (its DDL), declares the queues
 *   (each queue is a table partition: DDL too), and grants the jobs role
 *   (`<prefix>jobs`) exactly what pg-boss does at run time: USAGE on the
 *   schema, SELECT/INSERT/UPDATE/DELETE on its tables, EXECUTE on its
 *   functions. Nothing else, and nothing to PUBLIC (so not to the app role).
 * - startJobQueue(), run by the server and the CLI, connects as the jobs
 *   role with pg-boss's own migration turned off: it only checks that the
 *   schema is at the version this pg-boss expects. The jobs role is not a
 *   superuser, creates nothing and reaches nothing in `wardroom`
 *   (`wardroom db check`, check/jobs.ts).
 *
 * Job rows are outside RLS: payloads carry ids only, and anything
 * tenant-specific is sealed with the tenant's key first
 * (modules/keys/job-payload.ts). Workers do all tenant work through
 * withTenant() as the app role.
 */
import PgBoss from 'pg-boss';
import pg from 'pg';
import { AppError } from '../base/errors.js';
import { quoteIdent } from './roles.js';
import { pgConnection } from './tls.js';

export const JOBS_SCHEMA = 'wardroom_jobs';

const GRANT_LOCK = 7_302_118_002;

/**
 * What modules get: declare a queue, send a job, work and stop working one.
 * Not the connection pg-boss holds, nor its SQL.
 */
export type JobQueue = Pick<PgBoss, 'createQueue' | 'send' | 'work' | 'offWork'>;

/** The running queue as the composition root holds it: the same, and stop(). */
export type RunningJobQueue = JobQueue & Pick<PgBoss, 'stop'>;

/** Declares the application's queues (createQueue each), at install time. */
export type DeclareQueues = (queue: JobQueue) => Promise<void>;

export async function startJobQueue(
  jobsUrl: string,
  options: {
    onError?: (error: Error) => void;
    supervise?: boolean;
    /** Another schema than wardroom_jobs (tests keep their queues apart). */
    schema?: string;
  } = {},
): Promise<RunningJobQueue> {
  const schema = options.schema ?? JOBS_SCHEMA;
  const pool = ownPool(jobsUrl, 'wardroom-jobs', 3, options.onError);
  const boss = new PgBoss({
    db: pool.db,
    schema,
    // The schema is installed by `migrate` (installJobQueue): no DDL here.
    migrate: false,
    schedule: false,
    supervise: options.supervise ?? true,
  });
  boss.on('error', (error) => options.onError?.(error));
  try {
    await boss.start();
  } catch (error) {
    await pool.close();
    // pg-boss's check: its schema is missing, or at another version than this pg-boss.
    const message = error instanceof Error ? error.message : '';
    if (!/not installed|requires migrations/.test(message)) throw error;
    throw new AppError(
      'migration_required',
      `job queue schema ${schema}: ${message}; run \`wardroom migrate\``,
    );
  }
  const stop = boss.stop.bind(boss);
  boss.stop = async (stopOptions) => {
    try {
      await stop(stopOptions);
    } finally {
      if (stopOptions?.close !== false) await pool.close();
    }
  };
  // Queues are created at install time (a queue is a table partition: DDL).
  // Here a declared queue is found, and an undeclared one named.
  boss.createQueue = async (name) => {
    if ((await boss.getQueue(name)) !== null) return;
    throw new AppError(
      'migration_required',
      `job queue ${name} is not installed in ${schema}: run \`wardroom migrate\``,
    );
  };
  return boss;
}

/**
 * Creates or upgrades pg-boss's schema on the administrative connection,
 * declares the queues, and grants the jobs role its rights there (see the
 * file comment). Idempotent: `migrate` runs it every time.
 */
export async function installJobQueue(
  adminUrl: string,
  jobsRole: string,
  options: { readonly schema?: string; readonly declareQueues?: DeclareQueues } = {},
): Promise<void> {
  const schema = options.schema ?? JOBS_SCHEMA;
  const pool = ownPool(adminUrl, 'wardroom-migrate', 1, undefined);
  try {
    const boss = new PgBoss({
      db: pool.db,
      schema,
      migrate: true,
      schedule: false,
      supervise: false,
    });
    boss.on('error', () => undefined);
    await boss.start();
    await options.declareQueues?.(boss);
    await boss.stop({ graceful: false, close: false });
  } finally {
    await pool.close();
  }
  await grantJobsRole(adminUrl, jobsRole, schema);
}

/**
 * A pool of our own handed to pg-boss (its `db` option), so that it is
 * closed even when pg-boss fails to start (pg-boss's own pool is not).
 */
function ownPool(
  url: string,
  applicationName: string,
  max: number,
  onError: ((error: Error) => void) | undefined,
): { db: PgBoss.Db; close(): Promise<void> } {
  const pool = new pg.Pool({ ...pgConnection(url), application_name: applicationName, max });
  pool.on('error', (error) => onError?.(error));
  let open = true;
  return {
    db: {
      // Like pg-boss's own pool: once closed, statements are dropped, not
      // rejected. A job that outlives a graceful stop's timeout was already
      // failed by the stop (and is retried); its late, unawaited `complete`
      // must not become an unhandled rejection.
      executeSql: async (text, values) =>
        open ? pool.query(text, values) : (undefined as unknown as pg.QueryResult),
    },
    async close() {
      open = false;
      if (!pool.ending) await pool.end();
    },
  };
}

async function grantJobsRole(adminUrl: string, jobsRole: string, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  const jobs = quoteIdent(jobsRole);
  const client = new pg.Client(pgConnection(adminUrl));
  await client.connect();
  try {
    await client.query('begin');
    // Concurrent GRANTs on one object can fail ("tuple concurrently updated"): one at a time.
    await client.query('select pg_advisory_xact_lock($1)', [GRANT_LOCK]);
    await client.query(`REVOKE ALL ON SCHEMA ${s} FROM PUBLIC`);
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM PUBLIC`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM PUBLIC`);
    await client.query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ${s} FROM PUBLIC`);
    await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${jobs}`);
    await client.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${jobs}`,
    );
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${s} TO ${jobs}`);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
