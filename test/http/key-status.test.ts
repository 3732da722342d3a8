/**
 * GET /api/v1/workspaces/{ws}/keys, the owner's key status: versions,
 * the root key store's kind, rows still on an older version and the latest
 * sweep, with no key material and no key reference (not the master key's
 * id, not where the root key lives). Owners only: admin, member and viewer
 * get 403; another workspace's owner gets 404, as every workspace route
 * answers a foreign token; a bad token 401; a shredded workspace 410.
 * Reading it writes nothing.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import { startRotation } from '../../src/modules/keys/index.js';
import { keyStatusView } from '../../src/modules/keys/status-view.js';
import { memberToken, newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { call, expectError, seedContent } from '../support/http.js';
import { connectSuperuser } from '../support/keys.js';

let t: TestApp;
let admin: pg.Client;
beforeAll(async () => {
  t = await startTestApp();
  admin = await connectSuperuser();
});
afterAll(async () => {
  await admin.end();
  await t.close();
});

const keysUrl = (ws: string) => `/api/v1/workspaces/${ws}/keys`;

/** The workspace's stored key references: what the answer must never carry. */
async function references(ws: string): Promise<string[]> {
  const keks = await admin.query<{ kek_id: string }>(
    'select kek_id from wardroom.workspace_keys where tenant_id = $1',
    [ws],
  );
  const roots = await admin.query<{ ref: string }>(
    'select ref from wardroom.workspace_root_keys where tenant_id = $1',
    [ws],
  );
  return [...keks.rows.map((r) => r.kek_id), ...roots.rows.map((r) => r.ref)];
}

async function auditCount(ws: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    'select count(*) as n from wardroom.audit_log where tenant_id = $1',
    [ws],
  );
  return Number(rows[0]!.n);
}

describe('the key status route', () => {
  it('shows the owner the versions, the store kind and the sweep, and no key reference', async () => {
    const ws = await newWorkspace(t);
    await seedContent(t, ws, 'status');
    const first = await call(t, 'GET', keysUrl(ws.id), { token: ws.ownerToken });
    expect(first.statusCode, first.body).toBe(200);
    const view = keyStatusView.strict().parse(first.json());
    expect(view).toMatchObject({
      workspace_id: ws.id,
      shredded: false,
      primary_version: 1,
      min_version: 1,
      rows_on_old_versions: 0,
      sweep: null,
    });
    expect(view.versions.map(({ created_at: _, ...v }) => v)).toEqual([
      { version: 1, primary: true, rooted: true, retired: false },
    ]);
    expect(view.root_key_store).toBe('file');
    const refs = await references(ws.id);
    expect(refs.length).toBeGreaterThanOrEqual(2);
    for (const ref of refs) expect(first.body).not.toContain(ref);

    // After `keys rotate`: version 2 is the primary, the seeded rows wait on version 1.
    await startRotation(t.db, t.keyring, systemPrincipal(ws.id, 'test', 'test'));
    const second = keyStatusView.parse(
      (await call(t, 'GET', keysUrl(ws.id), { token: ws.ownerToken })).json(),
    );
    expect(second.primary_version).toBe(2);
    expect(second.versions.map((v) => [v.version, v.primary])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(second.rows_on_old_versions).toBeGreaterThanOrEqual(3);
    expect(second.sweep).toMatchObject({ to_version: 2, rows_done: 0 });
    expect(second.sweep?.rows_total).toBe(second.rows_on_old_versions);
    for (const ref of await references(ws.id)) expect(JSON.stringify(second)).not.toContain(ref);
  });

  it('refuses admin, member and viewer with 403, and writes nothing', async () => {
    const ws = await newWorkspace(t);
    for (const role of ['admin', 'member', 'viewer'] as const) {
      const { token } = await memberToken(t, ws, role);
      const before = await auditCount(ws.id);
      const res = await call(t, 'GET', keysUrl(ws.id), { token });
      expectError(res, 403, 'forbidden', role);
      expect(res.body).not.toContain('"versions"');
      expect(await auditCount(ws.id), role).toBe(before);
    }
  });

  it("answers another workspace's owner 404, and a bad token 401", async () => {
    const victim = await newWorkspace(t);
    const intruder = await newWorkspace(t);
    const res = await call(t, 'GET', keysUrl(victim.id), { token: intruder.ownerToken });
    expectError(res, 404, 'not_found');
    expect(res.body).not.toContain(victim.id);
    expectError(
      await call(t, 'GET', keysUrl(victim.id), { token: 'wr_forged' }),
      401,
      'unauthenticated',
    );
    expectError(await call(t, 'GET', keysUrl(victim.id)), 401, 'unauthenticated');
    expectError(
      await call(t, 'GET', keysUrl('not-a-uuid'), { token: victim.ownerToken }),
      400,
      'validation_failed',
    );
  });

  it('answers 410 workspace_shredded once the workspace is shredded', async () => {
    const ws = await newWorkspace(t);
    const { rows } = await admin.query<{ name: string }>(
      'select name from wardroom.workspaces where tenant_id = $1',
      [ws.id],
    );
    const shred = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
      token: ws.ownerToken,
      payload: { confirm: rows[0]!.name },
    });
    expect(shred.statusCode, shred.body).toBe(200);
    expectError(
      await call(t, 'GET', keysUrl(ws.id), { token: ws.ownerToken }),
      410,
      'workspace_shredded',
    );
  });
});
