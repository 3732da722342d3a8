/**
 * The running server holds no more database power than it needs: after
 * the migration step of startup, every connection the server keeps (the
 * app role's pools, the key events listener, the job queue) logs in as the
 * app role or the jobs role, neither a superuser. Proven on a database of
 * its own, so every backend on it but the test's own is the server's, with
 * background work on, after an HTTP request and a key rotation sweep run
 * as a pg-boss job by the server's worker. And the server runs with no
 * administrative URL at all when migrations are run separately.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWardroom, type Wardroom } from '../../src/app.js';
import { loadConfig } from '../../src/base/config.js';
import { createLogger } from '../../src/base/logger.js';
import { requireAdminUrl } from '../../src/db/connect.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { enqueueRotation, startRotation, watchRotations } from '../../src/modules/keys/index.js';
import { createWorkspace } from '../../src/modules/tenancy/create-workspace.js';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/databases.js';

interface Backend {
  readonly pid: number;
  readonly user: string;
  readonly superuser: boolean;
  readonly application: string;
}

let tdb: TestDatabase;
let admin: pg.Client;
let dir: string;
let w: Wardroom;
const masterKey = randomBytes(32).toString('base64');

beforeAll(async () => {
  tdb = await createTestDatabase(inject('clusterUrl'));
  admin = new pg.Client({ connectionString: tdb.adminUrl });
  await admin.connect();
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-runtime-roles-'));
  const config = loadConfig({
    DATABASE_URL: tdb.adminUrl,
    DATABASE_APP_URL: tdb.appUrl,
    DATABASE_JOBS_URL: tdb.jobsUrl,
    WARDROOM_DB_ROLE_PREFIX: tdb.rolePrefix,
    WARDROOM_MASTER_KEY: masterKey,
    WARDROOM_DATA_DIR: dir,
  });
  // The real composition root, migrating on start, background work and job worker on.
  w = await createWardroom(config, { logger: createLogger('silent') });
});

afterAll(async () => {
  await w.close();
  await admin.end();
  await dropTestDatabase(inject('clusterUrl'), tdb);
  await rm(dir, { recursive: true, force: true });
});

/** Every backend connected to the test database, except the test's own connection. */
async function serverBackends(): Promise<Backend[]> {
  const { rows } = await admin.query<Backend>(
    `select a.pid, a.usename as user, r.rolsuper as superuser,
            a.application_name as application
       from pg_stat_activity a join pg_roles r on r.oid = a.usesysid
      where a.datname = current_database() and a.pid <> pg_backend_pid()
      order by a.pid`,
  );
  return rows;
}

/**
 * The backends once the startup's migration connections have gone: they
 * are closed before the server starts, but a backend leaves
 * pg_stat_activity a moment after its client hung up.
 */
async function settledBackends(): Promise<Backend[]> {
  for (let i = 0; i < 100; i += 1) {
    const backends = await serverBackends();
    if (backends.every((b) => b.user === tdb.roles.app || b.user === tdb.roles.jobs)) {
      return backends;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return serverBackends();
}

/** A request that writes a sealed row, then a key rotation sweep run as a job by a worker. */
async function requestAndJob(server: Wardroom): Promise<void> {
  const ws = await createWorkspace(
    server.db,
    server.keyring,
    { name: 'Roles', region: 'eu', ownerEmail: `roles-${randomBytes(4).toString('hex')}@x.test` },
    (id) => systemPrincipal(id, 'test'),
  );
  // A request that writes a sealed row.
  const created = await server.server.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.workspaceId}/credentials`,
    headers: { authorization: `Bearer ${ws.token}`, 'content-type': 'application/json' },
    payload: {
      kind: 'llm_api_key',
      provider: 'anthropic',
      label: 'roles key',
      secret: { value: `sk-ant-${randomBytes(16).toString('hex')}` },
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  // A job: the sweep of a key rotation, queued and run by the server's own worker.
  const principal = systemPrincipal(ws.workspaceId, 'test');
  const started = await startRotation(server.db, server.keyring, principal);
  await enqueueRotation(await server.jobs(), server, started, principal);
  const done = await watchRotations(server.db, [started], {
    intervalMs: 100,
    onTick: () => undefined,
  });
  expect(done).toMatchObject({ finished: 1, failed: [], rowsDone: started.rowsTotal });
  expect(started.rowsTotal).toBeGreaterThan(0);
}

describe('the running server', () => {
  it('connects only as the app role and the jobs role, never as a superuser', async () => {
    await requestAndJob(w);

    const backends = await settledBackends();
    const users = new Set(backends.map((b) => b.user));
    // Both kinds were seen (the job queue's pool is open while its worker polls) ...
    expect([...users].sort()).toEqual([tdb.roles.app, tdb.roles.jobs].sort());
    // ... and nothing else: no superuser, no administrative login left open.
    for (const b of backends) {
      expect(b.superuser, `${b.user} (${b.application}) is a superuser`).toBe(false);
      expect([tdb.roles.app, tdb.roles.jobs], b.application).toContain(b.user);
    }
    const queue = backends.filter((b) => b.application === 'wardroom-jobs');
    expect(queue.length).toBeGreaterThan(0);
    for (const b of queue) expect(b.user).toBe(tdb.roles.jobs);
  });

  it('runs with no administrative URL when only DATABASE_APP_URL and DATABASE_JOBS_URL are set', async () => {
    const env = {
      DATABASE_APP_URL: tdb.appUrl,
      WARDROOM_DB_ROLE_PREFIX: tdb.rolePrefix,
      WARDROOM_MASTER_KEY: masterKey,
      WARDROOM_DATA_DIR: path.join(dir, 'no-admin'),
      // The first server's worker may take this server's job: like every process
      // of one deployment, both must share the workspace key store.
      WARDROOM_WORKSPACE_KEY_DIR: path.join(dir, 'workspace-keys'),
    };
    expect(() => loadConfig(env)).toThrow(/DATABASE_JOBS_URL/);
    const config = loadConfig({ ...env, DATABASE_JOBS_URL: tdb.jobsUrl });
    const bare = await createWardroom(config, { logger: createLogger('silent') });
    try {
      expect(bare.target.adminUrl).toBeUndefined();
      expect(bare.target.embedded).toBeUndefined();
      let refused: unknown;
      try {
        requireAdminUrl(bare.target, 'wardroom db check');
      } catch (error) {
        refused = error;
      }
      expect(refused).toMatchObject({
        code: 'config_invalid',
        message: expect.stringContaining('DATABASE_URL') as unknown,
      });
      await requestAndJob(bare);
      for (const b of await settledBackends()) {
        expect([tdb.roles.app, tdb.roles.jobs], b.application).toContain(b.user);
      }
    } finally {
      await bare.close();
    }
  });
});
