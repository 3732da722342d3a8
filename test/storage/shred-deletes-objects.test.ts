/**
 * A workspace deletion deletes its stored objects: the owner's shred route
 * crypto-shreds the workspace, then (once committed) deletes every object
 * under its prefix and answers how many, recorded as
 * `workspace.objects_deleted` {status, count, via}. Another workspace's
 * objects stay. A shred refused (wrong name) deletes nothing. A store that
 * fails leaves the shred standing, answers `objects_deleted: null` and
 * records the failure.
 */
import { Readable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import { verifyShredReceipt } from '../../src/modules/keys/index.js';
import { folderStore, objectKey, type ObjectStore } from '../../src/modules/storage/index.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { call, expectError } from '../support/http.js';

let t: TestApp;
let admin: Admin;
beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

async function nameOf(ws: TestWorkspace): Promise<string> {
  const { rows } = await admin.client.query<{ name: string }>(
    'select name from wardroom.workspaces where tenant_id = $1',
    [ws.id],
  );
  return rows[0]!.name;
}
const store = (app: TestApp, ws: TestWorkspace, name: string) =>
  app.storage.write(
    systemPrincipal(ws.id, 'test'),
    objectKey(ws.id, 'exports', name),
    Readable.from([Buffer.from(name)]),
  );
async function deletionEvents(ws: TestWorkspace): Promise<unknown[]> {
  const { rows } = await admin.client.query<{ metadata: unknown }>(
    `select metadata from wardroom.audit_log where tenant_id = $1 and action = 'workspace.objects_deleted' order by id`,
    [ws.id],
  );
  return rows.map((r) => r.metadata);
}

describe('the shred route', () => {
  it("deletes the workspace's stored objects after the shred, and only its own", async () => {
    const ws = await newWorkspace(t);
    const bystander = await newWorkspace(t);
    await store(t, ws, 'one.zip');
    await store(t, ws, 'two.zip');
    await store(t, bystander, 'kept.zip');

    const wrong = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
      token: ws.ownerToken,
      payload: { confirm: 'not its name' },
    });
    expectError(wrong, 400, 'validation_failed');
    expect(await t.storage.store.exists(objectKey(ws.id, 'exports', 'one.zip'))).toBe(true);
    expect(await deletionEvents(ws)).toEqual([]);

    const res = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
      token: ws.ownerToken,
      payload: { confirm: await nameOf(ws) },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { objects_deleted: deleted, ...signed } = res.json<{ objects_deleted: number }>();
    expect(deleted).toBe(2);
    expect(verifyShredReceipt(signed, t.auditSigner.publicKey)).toBe(true);
    expect(await t.storage.store.exists(objectKey(ws.id, 'exports', 'one.zip'))).toBe(false);
    expect(await t.storage.store.exists(objectKey(ws.id, 'exports', 'two.zip'))).toBe(false);
    expect(await t.storage.store.exists(objectKey(bystander.id, 'exports', 'kept.zip'))).toBe(true);
    expect(await deletionEvents(ws)).toEqual([{ status: 'ok', count: 2, via: 'route' }]);
    expect(await deletionEvents(bystander)).toEqual([]);
  });

  it('keeps the shred when the store fails, answers null and records the failure', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wardroom-failing-store-'));
    const real = folderStore(dir);
    const failing: ObjectStore = {
      ...real,
      deletePrefix: () => Promise.reject(new Error('store unavailable')),
    };
    const app = await startTestApp({ storage: { store: failing } });
    try {
      const ws = await newWorkspace(app);
      await store(app, ws, 'stuck.zip');
      const res = await call(app, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
        token: ws.ownerToken,
        payload: { confirm: await nameOf(ws) },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ objects_deleted: number | null }>().objects_deleted).toBeNull();
      const { rows } = await admin.client.query<{ shredded_at: Date | null }>(
        'select shredded_at from wardroom.workspaces where tenant_id = $1',
        [ws.id],
      );
      expect(rows[0]?.shredded_at).not.toBeNull();
      expect(await deletionEvents(ws)).toEqual([{ status: 'error', via: 'route' }]);
    } finally {
      await app.close();
    }
  });
});
