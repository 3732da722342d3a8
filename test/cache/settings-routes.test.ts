/**
 * The cache's settings routes: admins only; off by default; each change
 * audited (column names, never the salt), a flush as `llm_cache.flushed`;
 * bad input answers a stable code and changes nothing; the sealed salt is
 * bound to its workspace and version, so one moved to another workspace or
 * written back after a flush does not open.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import { readCacheSettings } from '../../src/modules/gateway/cache/settings.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { memberToken, newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { call, expectError } from '../support/http.js';
import { cacheUrl } from './harness.js';

let t: TestApp;
let admin: Admin;
let su: pg.Client;

beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  su = admin.client;
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

async function auditActions(tenantId: string): Promise<{ action: string; metadata: string }[]> {
  const { rows } = await su.query<{ action: string; metadata: string }>(
    `select action, metadata::text as metadata from wardroom.audit_log
      where tenant_id = $1 and action like 'llm_cache%' order by id`,
    [tenantId],
  );
  return rows;
}

const settingsOf = (tenantId: string) =>
  t.db.withTenant(systemPrincipal(tenantId, 'test'), (tx) => readCacheSettings(tx, t.keyring));

describe('GET and PUT /llm/cache, POST /llm/cache/flush', () => {
  it('is off by default, and admins turn it on, set the TTL and flush, each change audited', async () => {
    const ws = await newWorkspace(t);
    const token = ws.ownerToken;
    const initial = await call(t, 'GET', cacheUrl(ws), { token });
    expect(initial.statusCode).toBe(200);
    expect(initial.json()).toEqual({
      enabled: false,
      ttl_seconds: 3600,
      salt_version: 0,
      updated_at: null,
    });
    expect((await settingsOf(ws.id)).enabled).toBe(false);

    const adminToken = (await memberToken(t, ws, 'admin')).token;
    const on = await call(t, 'PUT', cacheUrl(ws), {
      token: adminToken,
      payload: { enabled: true, ttl_seconds: 600 },
    });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toMatchObject({ enabled: true, ttl_seconds: 600, salt_version: 1 });
    const ttl = await call(t, 'PUT', cacheUrl(ws), { token, payload: { ttl_seconds: 120 } });
    expect(ttl.json()).toMatchObject({ enabled: true, ttl_seconds: 120, salt_version: 1 });
    const settings = await settingsOf(ws.id);
    expect(settings).toMatchObject({ enabled: true, ttlSeconds: 120 });
    expect(settings.salt).toHaveLength(32);

    // The salt is stored sealed, never as itself.
    const { rows } = await su.query<{ salt: Buffer }>(
      'select salt from wardroom.llm_cache_settings where tenant_id = $1',
      [ws.id],
    );
    expect(rows[0]!.salt.includes(settings.salt!)).toBe(false);

    const flush = await call(t, 'POST', `${cacheUrl(ws)}/flush`, { token });
    expect(flush.statusCode, flush.body).toBe(200);
    expect(flush.json()).toMatchObject({ enabled: true, ttl_seconds: 120, salt_version: 2 });
    const flushed = await settingsOf(ws.id);
    expect(flushed.salt!.equals(settings.salt!)).toBe(false);

    const events = await auditActions(ws.id);
    expect(events.map((e) => e.action)).toEqual([
      'llm_cache_settings.created',
      'llm_cache_settings.updated',
      'llm_cache_settings.updated',
      'llm_cache.flushed',
    ]);
    const hex = settings.salt!.toString('hex');
    for (const e of events) expect(e.metadata).not.toContain(hex);
  });

  it('refuses members, viewers and API tokens of other workspaces', async () => {
    const ws = await newWorkspace(t);
    const other = await newWorkspace(t);
    for (const role of ['member', 'viewer'] as const) {
      const { token } = await memberToken(t, ws, role);
      expectError(await call(t, 'GET', cacheUrl(ws), { token }), 403, 'forbidden', role);
      const put = await call(t, 'PUT', cacheUrl(ws), { token, payload: { enabled: true } });
      expectError(put, 403, 'forbidden', role);
      expectError(await call(t, 'POST', `${cacheUrl(ws)}/flush`, { token }), 403, 'forbidden');
    }
    const foreign = await call(t, 'PUT', cacheUrl(ws), {
      token: other.ownerToken,
      payload: { enabled: true },
    });
    expectError(foreign, 404, 'not_found');
    expect((await settingsOf(ws.id)).enabled).toBe(false);
  });

  it('answers bad settings with validation_failed and changes nothing', async () => {
    const ws = await newWorkspace(t);
    const token = ws.ownerToken;
    await call(t, 'PUT', cacheUrl(ws), { token, payload: { enabled: true, ttl_seconds: 60 } });
    const before = await admin.snapshot(ws.id);
    const bad: object[] = [
      {},
      { ttl_seconds: 0 },
      { ttl_seconds: 604_801 },
      { ttl_seconds: 1.5 },
      { ttl_seconds: '60' },
      { enabled: 'yes' },
      { enabled: null },
      { enabled: false, salt: 'mine' },
      { enabled: false, salt_version: 9 },
    ];
    for (const payload of bad) {
      const res = await call(t, 'PUT', cacheUrl(ws), { token, payload });
      expectError(res, 400, 'validation_failed', JSON.stringify(payload));
    }
    expect(await admin.snapshot(ws.id)).toEqual(before);
  });

  it('binds the sealed salt to its workspace and version', async () => {
    const a = await newWorkspace(t);
    const b = await newWorkspace(t);
    for (const ws of [a, b]) {
      const res = await call(t, 'PUT', cacheUrl(ws), {
        token: ws.ownerToken,
        payload: { enabled: true },
      });
      expect(res.statusCode).toBe(200);
    }
    // A's sealed salt moved into B's row (past the API): B's settings do not open.
    await su.query(
      `update wardroom.llm_cache_settings set salt =
         (select salt from wardroom.llm_cache_settings where tenant_id = $1) where tenant_id = $2`,
      [a.id, b.id],
    );
    await expect(settingsOf(b.id)).rejects.toMatchObject({ code: 'decryption_failed' });

    // A's version-1 salt written back after a flush (version 2): it does not open.
    const { rows } = await su.query<{ salt: Buffer }>(
      'select salt from wardroom.llm_cache_settings where tenant_id = $1',
      [a.id],
    );
    const flush = await call(t, 'POST', `${cacheUrl(a)}/flush`, { token: a.ownerToken });
    expect(flush.statusCode).toBe(200);
    await su.query('update wardroom.llm_cache_settings set salt = $1 where tenant_id = $2', [
      rows[0]!.salt,
      a.id,
    ]);
    await expect(settingsOf(a.id)).rejects.toMatchObject({ code: 'decryption_failed' });
  });

  it('lists the cache routes, their bodies and answers in /api/v1/openapi.json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const paths = res.json<{ paths: Record<string, Record<string, unknown>> }>().paths;
    const cache = paths['/api/v1/workspaces/{ws}/llm/cache'];
    expect(Object.keys(cache ?? {})).toEqual(expect.arrayContaining(['get', 'put']));
    expect(JSON.stringify(cache?.['put'])).toContain('ttl_seconds');
    expect(Object.keys(paths['/api/v1/workspaces/{ws}/llm/cache/flush'] ?? {})).toContain('post');
  });
});
