/**
 * The response cache never crosses workspaces, and forgets when told to:
 * off by default; the same prompt in workspaces A and B has two keys and
 * two entries; a value moved from A's key to B's (or to another key of A's)
 * does not open and is a counted miss, logged without content; flush and
 * turning the cache off make old entries unreachable; TTL by the store's
 * clock; a shredded workspace's entries no longer open.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/modules/gateway/cache/memory-store.js';
import { createResponseCache } from '../../src/modules/gateway/cache/response-cache.js';
import { SettingsCache } from '../../src/modules/gateway/cache/settings-cache.js';
import type { CacheStore } from '../../src/modules/gateway/cache/store.js';
import { newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';
import { connectSuperuser } from '../support/keys.js';
import {
  COMPLETION,
  configure,
  jsonResponse,
  MODEL,
  PROMPT,
  request,
  streamResponse,
  testCache,
} from './harness.js';

let t: TestApp;
let admin: pg.Client;
let clock = 1_000_000;
let raw: CacheStore;
let c: Awaited<ReturnType<typeof testCache>>;

beforeAll(async () => {
  t = await startTestApp();
  admin = await connectSuperuser();
  raw = memoryStore({ now: () => clock });
  c = await testCache(t, raw);
});
afterAll(async () => {
  await c.stop();
  await admin.end();
  await t.close();
});

describe('the response cache', () => {
  it('is off by default: nothing is looked up or stored', async () => {
    const ws = await newWorkspace(t);
    expect(await c.cache.keyOf(ws.id, request())).toBeNull();
    const stored = c.cache.stats.stored;
    await c.cache.store(ws.id, request(), jsonResponse);
    expect(c.cache.stats.stored).toBe(stored);
    expect(await c.cache.lookup(ws.id, request())).toBeNull();
  });

  it('answers what was stored, JSON and streams, and misses on any other request', async () => {
    const ws = await newWorkspace(t);
    await configure(t, c.cache, ws, { enabled: true }, request());
    await c.cache.store(ws.id, request(), jsonResponse);
    expect(await c.cache.lookup(ws.id, request())).toEqual(jsonResponse);
    // Key order does not matter (canonical JSON); content does.
    const reordered = request();
    const body = reordered.body as { model: string; max_tokens: number; messages: unknown };
    const same = { ...reordered, body: { messages: body.messages, max_tokens: 256, model: MODEL } };
    expect(await c.cache.lookup(ws.id, same)).toEqual(jsonResponse);
    expect(await c.cache.lookup(ws.id, request(`${PROMPT}?`))).toBeNull();
    const streamed = request('stream me');
    await c.cache.store(ws.id, streamed, streamResponse);
    expect(await c.cache.lookup(ws.id, streamed)).toEqual(streamResponse);
  });

  it('keeps the same prompt in workspaces A and B apart; a value moved across does not open', async () => {
    const a = await newWorkspace(t);
    const b = await newWorkspace(t);
    await configure(t, c.cache, a, { enabled: true }, request());
    await configure(t, c.cache, b, { enabled: true }, request());
    const keyA = await c.cache.keyOf(a.id, request());
    const keyB = await c.cache.keyOf(b.id, request());
    expect(keyA).not.toBeNull();
    expect(keyB).not.toBeNull();
    expect(keyA).not.toBe(keyB);
    // Different salts: the digests differ, not only the workspace id in the key.
    expect(keyA!.split(':').at(-1)).not.toBe(keyB!.split(':').at(-1));
    expect(keyA).toContain(a.id);

    await c.cache.store(a.id, request(), jsonResponse);
    expect(await c.cache.lookup(b.id, request())).toBeNull();
    expect(await c.cache.lookup(a.id, request())).toEqual(jsonResponse);

    // A's sealed value copied under B's key: bound to A and A's digest, it does not open.
    const sealed = await raw.get(keyA!);
    expect(sealed).not.toBeNull();
    await raw.set(keyB!, sealed!, 60_000);
    const unopenable = c.cache.stats.unopenable;
    const warnings = c.warnings.length;
    expect(await c.cache.lookup(b.id, request())).toBeNull();
    expect(c.cache.stats.unopenable).toBe(unopenable + 1);
    expect(await raw.get(keyB!)).toBeNull(); // dropped
    // Logged with the workspace id and a code, never content.
    const logged = JSON.stringify(c.warnings.slice(warnings));
    expect(logged).toContain(b.id);
    expect(logged).toContain('decryption_failed');
    for (const text of [PROMPT, COMPLETION, MODEL]) expect(logged).not.toContain(text);

    // Under another key of A's own: bound to the digest, it does not open either.
    const otherKey = await c.cache.keyOf(a.id, request('another prompt'));
    await raw.set(otherKey!, sealed!, 60_000);
    expect(await c.cache.lookup(a.id, request('another prompt'))).toBeNull();
    expect(c.cache.stats.unopenable).toBe(unopenable + 2);

    // A forged value is a miss too; A's own entry still answers.
    await raw.set(otherKey!, randomBytes(200), 60_000);
    expect(await c.cache.lookup(a.id, request('another prompt'))).toBeNull();
    expect(c.cache.stats.unopenable).toBe(unopenable + 3);
    expect(await c.cache.lookup(a.id, request())).toEqual(jsonResponse);
  });

  it('flush and turning the cache off make every old entry unreachable', async () => {
    const ws = await newWorkspace(t);
    await configure(t, c.cache, ws, { enabled: true }, request());
    await c.cache.store(ws.id, request(), jsonResponse);
    const before = await c.cache.keyOf(ws.id, request());
    expect(await c.cache.lookup(ws.id, request())).toEqual(jsonResponse);

    const flushed = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/llm/cache/flush`, {
      token: ws.ownerToken,
    });
    expect(flushed.statusCode, flushed.body).toBe(200);
    expect(flushed.json()).toMatchObject({ enabled: true, salt_version: 2 });
    let after: string | null = before;
    for (let i = 0; i < 400 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 25));
      after = await c.cache.keyOf(ws.id, request());
    }
    expect(after).not.toBe(before);
    expect(await c.cache.lookup(ws.id, request())).toBeNull();

    await c.cache.store(ws.id, request(), jsonResponse);
    expect(await c.cache.lookup(ws.id, request())).toEqual(jsonResponse);
    await configure(t, c.cache, ws, { enabled: false }, request());
    expect(await c.cache.lookup(ws.id, request())).toBeNull();
    // On again: a new salt, so what was cached before turning off stays unreachable.
    await configure(t, c.cache, ws, { enabled: true }, request());
    expect(await c.cache.lookup(ws.id, request())).toBeNull();
  });

  it('does not keep a response larger than the entry limit', async () => {
    const ws = await newWorkspace(t);
    const small = createResponseCache({
      db: t.db,
      keyring: t.keyring,
      store: raw,
      settings: new SettingsCache(),
      maxEntryBytes: 100,
    });
    await configure(t, c.cache, ws, { enabled: true }, request());
    await small.store(ws.id, request(), jsonResponse);
    expect(small.stats.stored).toBe(0);
    expect(await c.cache.lookup(ws.id, request())).toBeNull();
  });

  it("expires entries after the workspace's TTL (the store's clock)", async () => {
    const ws = await newWorkspace(t);
    await configure(t, c.cache, ws, { enabled: true, ttl_seconds: 30 }, request());
    await c.cache.store(ws.id, request(), jsonResponse);
    clock += 29_000;
    expect(await c.cache.lookup(ws.id, request())).toEqual(jsonResponse);
    clock += 2_000;
    expect(await c.cache.lookup(ws.id, request())).toBeNull();
  });

  it("makes a shredded workspace's entries unreadable, in this process and a fresh one", async () => {
    const ws = await newWorkspace(t);
    const other = await newWorkspace(t);
    await configure(t, c.cache, ws, { enabled: true }, request());
    await configure(t, c.cache, other, { enabled: true }, request());
    await c.cache.store(ws.id, request(), jsonResponse);
    await c.cache.store(other.id, request(), jsonResponse);
    const key = await c.cache.keyOf(ws.id, request());
    expect(await c.cache.lookup(ws.id, request())).toEqual(jsonResponse);

    const { rows } = await admin.query<{ name: string }>(
      'select name from wardroom.workspaces where tenant_id = $1',
      [ws.id],
    );
    const shred = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
      token: ws.ownerToken,
      payload: { confirm: rows[0]!.name },
    });
    expect(shred.statusCode, shred.body).toBe(200);
    const sealed = await raw.get(key!);
    expect(sealed).not.toBeNull();

    // This process: its keyring forgot the keys (NOTIFY), so the value no longer opens.
    expect(await c.cache.lookup(ws.id, request())).toBeNull();
    // A fresh process over the same store: the salt does not open either.
    await raw.set(key!, sealed!, 60_000);
    const fresh = await testCache(t, raw);
    try {
      expect(await fresh.cache.lookup(ws.id, request())).toBeNull();
      expect(fresh.cache.stats.hits).toBe(0);
      // The other workspace is untouched.
      expect(await fresh.cache.lookup(other.id, request())).toEqual(jsonResponse);
    } finally {
      await fresh.stop();
    }
  });
});
