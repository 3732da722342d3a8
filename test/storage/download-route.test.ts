/**
 * `GET /api/v1/objects/download`: a signed link downloads the opened object
 * and records `object.downloaded` in its workspace; an expired link, a
 * tampered signature, workspace A's link altered to B's key, traversal in
 * the key and a shredded workspace are refused, with nothing recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { systemPrincipal } from '../../src/db/principal.js';
import { objectKey, type ObjectKey } from '../../src/modules/storage/index.js';
import { call } from '../support/http.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { BACKENDS, startBackend, type Backend } from './storage-harness.js';

let clock = new Date();

async function downloads(t: TestApp, wsId: string) {
  return t.db.withTenant(systemPrincipal(wsId, 'test'), (tx) =>
    tx
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'actor_id', 'targets', 'metadata', 'correlation_id'])
      .where('action', '=', 'object.downloaded')
      .execute(),
  );
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

function withParam(url: string, name: string, value: string): string {
  const u = new URL(url, 'http://x');
  u.searchParams.set(name, value);
  return `${u.pathname}${u.search}`;
}

describe.each(BACKENDS)('download links on the %s store', (kind) => {
  let backend: Backend;
  let t: TestApp;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let keyA: ObjectKey;
  let keyB: ObjectKey;
  const content = Buffer.from('name,email\nAda,ada@example.test\n');

  beforeAll(async () => {
    backend = await startBackend(kind);
    t = await startTestApp({ storage: { store: backend.store, now: () => clock } });
    a = await newWorkspace(t);
    b = await newWorkspace(t);
    keyA = objectKey(a.id, 'exports', 'export-a.csv');
    keyB = objectKey(b.id, 'exports', 'export-a.csv');
    await t.storage.write(systemPrincipal(a.id, 'test'), keyA, Readable.from([content]));
    await t.storage.write(systemPrincipal(b.id, 'test'), keyB, Readable.from([Buffer.from('B')]));
  });
  afterAll(async () => {
    await t.close();
    await backend.close();
  });

  it('downloads the opened object and records the download in its workspace', async () => {
    clock = new Date();
    const link = t.storage.downloadLink(keyA, 3600);
    const res = await call(t, 'GET', pathOf(link.url));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.rawPayload.equals(content)).toBe(true);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toBe('attachment; filename="export-a.csv"');
    expect(res.headers['cache-control']).toBe('no-store');
    const events = await downloads(t, a.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_type: 'system',
      actor_id: 'object-download-link',
      targets: [{ type: 'object', id: keyA }],
      metadata: { via: 'signed_link', link_expires_at: link.expiresAt.toISOString() },
      correlation_id: res.headers['x-correlation-id'],
    });
    expect(await downloads(t, b.id)).toHaveLength(0);
  });

  it('refuses an expired link, and records nothing', async () => {
    clock = new Date();
    const link = t.storage.downloadLink(keyB, 60);
    clock = new Date(clock.getTime() + 61_000);
    const res = await call(t, 'GET', pathOf(link.url));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'link_expired' } });
    clock = new Date();
    expect(await downloads(t, b.id)).toHaveLength(0);
  });

  it('refuses a link longer than 7 days when it is made', () => {
    expect(() => t.storage.downloadLink(keyA, 7 * 86_400 + 1)).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
  });

  it('refuses a tampered signature or expiry', async () => {
    clock = new Date();
    const url = t.storage.downloadLink(keyB, 3600).url;
    const sig = new URL(url).searchParams.get('signature') ?? '';
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    const expires = Number(new URL(url).searchParams.get('expires'));
    for (const bad of [
      withParam(url, 'signature', flipped),
      withParam(url, 'expires', String(expires + 3600)),
    ]) {
      const res = await call(t, 'GET', bad);
      expect(res.statusCode, bad).toBe(403);
      expect(res.json()).toMatchObject({ error: { code: 'link_invalid' } });
    }
    expect(await downloads(t, b.id)).toHaveLength(0);
  });

  it("refuses workspace A's link altered to name workspace B's object", async () => {
    clock = new Date();
    const url = t.storage.downloadLink(keyA, 3600).url;
    const res = await call(t, 'GET', withParam(url, 'key', keyB));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'link_invalid' } });
    expect(res.body).not.toContain('B');
    expect(await downloads(t, b.id)).toHaveLength(0);
  });

  it('refuses traversal and encoding tricks in the key of a link', async () => {
    clock = new Date();
    const url = t.storage.downloadLink(keyA, 3600).url;
    for (const key of [
      `tenants/${a.id}/exports/../../${b.id}/exports/export-a.csv`,
      `tenants/${a.id}/exports/..%2F..%2F${b.id}%2Fexports%2Fexport-a.csv`,
      `tenants/${a.id}/exports/%2e%2e/export-a.csv`,
      `tenants/${a.id}/exports/export-a.csv\0`,
      `tenants/${a.id}/exports/\uff0e\uff0e/export-a.csv`,
      `../../etc/passwd`,
    ]) {
      const res = await call(t, 'GET', withParam(url, 'key', key));
      expect(res.statusCode, key).toBe(403);
      expect(res.json()).toMatchObject({ error: { code: 'link_invalid' } });
    }
    // A raw, unencoded traversal in the query string as well.
    const raw = url.replace(/key=[^&]*/, `key=tenants/${a.id}/exports/../../${b.id}/x`);
    expect((await call(t, 'GET', pathOf(raw))).statusCode).toBe(403);
  });

  it('refuses a malformed query with validation_failed', async () => {
    const res = await call(t, 'GET', '/api/v1/objects/download?key=x');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('answers not_found for a signed link to an object that is gone', async () => {
    clock = new Date();
    const gone = objectKey(a.id, 'exports', 'never-written');
    const res = await call(t, 'GET', pathOf(t.storage.downloadLink(gone, 60).url));
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('answers 410 workspace_shredded for a shredded workspace, whose object opens no more', async () => {
    clock = new Date();
    const victim = await newWorkspace(t);
    const key = objectKey(victim.id, 'exports', 'x.csv');
    await t.storage.write(systemPrincipal(victim.id, 'test'), key, Readable.from([content]));
    const link = t.storage.downloadLink(key, 3600);
    expect((await call(t, 'GET', pathOf(link.url))).statusCode).toBe(200);
    const name = await t.db.withTenant(systemPrincipal(victim.id, 'test'), (tx) =>
      tx.selectFrom('workspaces').select('name').executeTakeFirstOrThrow(),
    );
    const shred = await call(t, 'POST', `/api/v1/workspaces/${victim.id}/shred`, {
      token: victim.ownerToken,
      payload: { confirm: name.name },
    });
    expect(shred.statusCode, shred.body).toBe(200);
    const res = await call(t, 'GET', pathOf(link.url));
    expect(res.statusCode).toBe(410);
    expect(res.json()).toMatchObject({ error: { code: 'workspace_shredded' } });
    expect(res.body).not.toContain('ada@example.test');
  });
});
