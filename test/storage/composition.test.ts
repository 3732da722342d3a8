/**
 * Storage as `createWardroom` composes it from configuration: an S3 store
 * (WARDROOM_STORAGE=s3 with endpoint, path style and a key pair, against
 * s3rver on loopback) behind `Wardroom.storage`, links keyed from the auth
 * secret and based on WARDROOM_PUBLIC_URL, served over real HTTP by the
 * server, and a workspace's objects deleted through the exposed function.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWardroom, type Wardroom } from '../../src/app.js';
import { loadConfig } from '../../src/base/config.js';
import { createLogger } from '../../src/base/logger.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { objectKey } from '../../src/modules/storage/index.js';
import { createWorkspace } from '../../src/modules/tenancy/create-workspace.js';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/databases.js';
import { startS3, type TestS3 } from '../support/s3.js';

let tdb: TestDatabase;
let dir: string;
let s3: TestS3;
let w: Wardroom;
let url: string;

beforeAll(async () => {
  tdb = await createTestDatabase(inject('clusterUrl'));
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-storage-composition-'));
  s3 = await startS3();
  const config = loadConfig({
    DATABASE_URL: tdb.adminUrl,
    DATABASE_APP_URL: tdb.appUrl,
    DATABASE_JOBS_URL: tdb.jobsUrl,
    WARDROOM_DB_ROLE_PREFIX: tdb.rolePrefix,
    WARDROOM_MASTER_KEY: randomBytes(32).toString('base64'),
    WARDROOM_DATA_DIR: dir,
    WARDROOM_PUBLIC_URL: 'https://wardroom.example',
    WARDROOM_STORAGE: 's3',
    WARDROOM_S3_BUCKET: s3.config.bucket,
    WARDROOM_S3_ENDPOINT: s3.endpoint,
    WARDROOM_S3_FORCE_PATH_STYLE: 'true',
    WARDROOM_S3_ACCESS_KEY_ID: 'S3RVER',
    WARDROOM_S3_SECRET_ACCESS_KEY: 'S3RVER',
  });
  w = await createWardroom(config, { logger: createLogger('silent'), background: false });
  url = await w.server.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await w.close();
  await s3.close();
  await dropTestDatabase(inject('clusterUrl'), tdb);
  await rm(dir, { recursive: true, force: true });
});

describe('the composed storage', () => {
  it('stores sealed in the configured bucket and serves signed links over HTTP', async () => {
    const created = await createWorkspace(
      w.db,
      w.keyring,
      { name: 'Storage', region: 'eu', ownerEmail: `st-${randomBytes(4).toString('hex')}@x.test` },
      (id) => systemPrincipal(id, 'test'),
    );
    const ws = created.workspaceId;
    expect(w.storage.store.kind).toBe('s3');
    const key = objectKey(ws, 'exports', 'composed.json');
    const body = Buffer.from(JSON.stringify({ hello: 'world' }));
    await w.storage.write(systemPrincipal(ws, 'test'), key, Readable.from([body]));
    // In the bucket: sealed bytes only.
    const raw: Buffer[] = [];
    for await (const part of await w.storage.store.get(key)) raw.push(part as Buffer);
    expect(Buffer.concat(raw).includes(Buffer.from('world'))).toBe(false);

    const link = w.storage.downloadLink(key, 600);
    expect(link.url.startsWith('https://wardroom.example/api/v1/objects/download?')).toBe(true);
    const served = new URL(link.url);
    const res = await fetch(`${url}${served.pathname}${served.search}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);

    expect(await w.storage.deleteWorkspaceObjects(ws)).toBe(1);
    const gone = await fetch(`${url}${served.pathname}${served.search}`);
    expect(gone.status).toBe(404);
  });
});
