/**
 * The cache on a real Redis (TEST_REDIS_URL): every key and value it wrote
 * is scanned, and none holds the prompt, the completion or the model name
 * (in any common encoding); entries carry a PX TTL and expire; and two
 * processes sharing Redis share entries within a workspace, never across.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../../src/modules/gateway/cache/redis-store.js';
import { newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import {
  COMPLETION,
  configure,
  jsonResponse,
  MODEL,
  PROMPT,
  request,
  streamResponse,
  testCache,
  until,
} from './harness.js';

const redisUrl = process.env['TEST_REDIS_URL'];
const namespace = `wardroom-test-${randomUUID()}:`;

describe.runIf(redisUrl !== undefined)('the response cache on Redis', () => {
  let t: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    t = await startTestApp();
    redis = new Redis(redisUrl ?? '');
  });
  afterAll(async () => {
    const keys = await scanAll(redis);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await t.close();
  });

  async function scanAll(client: Redis): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${namespace}*`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  }

  it('writes no plaintext prompt, completion or model into any Redis key or value', async () => {
    const c = await testCache(t, redisStore(redis), namespace);
    try {
      const a = await newWorkspace(t);
      const b = await newWorkspace(t);
      await configure(t, c.cache, a, { enabled: true }, request());
      await configure(t, c.cache, b, { enabled: true }, request());
      for (const ws of [a, b]) {
        await c.cache.store(ws.id, request(), jsonResponse);
        await c.cache.store(ws.id, request('stream please'), streamResponse);
      }
      expect(c.cache.stats.stored).toBe(4);
      expect(await c.cache.lookup(a.id, request())).toEqual(jsonResponse);

      const keys = await scanAll(redis);
      expect(keys).toHaveLength(4);
      const secrets = [PROMPT, COMPLETION, MODEL, 'stream please', 'Marigold'];
      // Each secret as raw UTF-8 and UTF-16 bytes, and as base64 and hex text.
      const needles = secrets.flatMap((secret) => {
        const bytes = Buffer.from(secret, 'utf8');
        return [
          bytes,
          Buffer.from(secret, 'utf16le'),
          Buffer.from(bytes.toString('base64')),
          Buffer.from(bytes.toString('hex')),
        ].map((needle) => ({ secret, needle }));
      });
      // The needles are meaningful: the unsealed responses would have been caught.
      const plain = Buffer.from(JSON.stringify([jsonResponse, streamResponse]));
      for (const secret of [COMPLETION, MODEL]) {
        expect(plain.includes(Buffer.from(secret))).toBe(true);
      }
      for (const key of keys) {
        expect(key).toMatch(new RegExp(`^${namespace}v1:(${a.id}|${b.id}):[0-9a-f]{64}$`));
        const value = await redis.getBuffer(key);
        expect(value).not.toBeNull();
        for (const { secret, needle } of needles) {
          expect(Buffer.from(key).includes(needle), `key holds ${secret}`).toBe(false);
          expect(value!.includes(needle), `value holds ${secret}`).toBe(false);
        }
        // Every entry expires.
        expect(await redis.pttl(key)).toBeGreaterThan(0);
      }
    } finally {
      await c.stop();
    }
  });

  it('expires entries with the PX TTL', async () => {
    const c = await testCache(t, redisStore(redis), namespace);
    try {
      const ws = await newWorkspace(t);
      await configure(t, c.cache, ws, { enabled: true, ttl_seconds: 1 }, request());
      await c.cache.store(ws.id, request(), jsonResponse);
      const key = await c.cache.keyOf(ws.id, request());
      const pttl = await redis.pttl(key!);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(1000);
      await until(async () => (await redis.exists(key!)) === 0, 'the entry expired');
      expect(await c.cache.lookup(ws.id, request())).toBeNull();
    } finally {
      await c.stop();
    }
  });

  it('shares entries between processes within a workspace, never across', async () => {
    const other = new Redis(redisUrl ?? '');
    const first = await testCache(t, redisStore(redis), namespace);
    const second = await testCache(t, redisStore(other), namespace);
    try {
      const a = await newWorkspace(t);
      const b = await newWorkspace(t);
      await configure(t, first.cache, a, { enabled: true }, request());
      await configure(t, second.cache, b, { enabled: true }, request());
      await until(async () => (await second.cache.keyOf(a.id, request())) !== null, 'a seen');
      await first.cache.store(a.id, request(), jsonResponse);
      expect(await second.cache.lookup(a.id, request())).toEqual(jsonResponse);
      expect(await second.cache.lookup(b.id, request())).toBeNull();
    } finally {
      await first.stop();
      await second.stop();
      other.disconnect();
    }
  });
});
