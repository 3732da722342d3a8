/**
 * One workspace cannot starve the others. Workspace A holds downloads open
 * without reading them and floods requests; workspace B's requests still
 * answer. A's excess is refused at once with `429 rate_limited` and
 * `Retry-After`, a download nobody reads is cut after the idle timeout and
 * its slot freed, and the per-workspace request rate answers 429 past its
 * limit (across processes when they share Redis).
 */
import http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import { chainPending, createCheckpoint } from '../../src/modules/audit/checkpoints.js';
import {
  bearer,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';

/** A's export is large enough (about 25 MB) that an unread download stalls in socket buffers. */
const EVENTS = 20_000;
const IDLE_MS = 3000;

/** Fails the test if `work` has not settled in `ms` (a liveness bound, not a timing claim). */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Download {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

/** Starts a download and reads none of it beyond the status line (unless refused). */
function stalledDownload(port: number, ws: string, token: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: `/api/v1/workspaces/${ws}/activity/export?format=jsonl`,
        headers: bearer(token),
      },
      (res) => {
        const retryAfter = res.headers['retry-after'];
        if (res.statusCode === 200) {
          res.pause();
          resolve({ status: 200, retryAfter, body: '' });
          return;
        }
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter, body }));
      },
    );
    req.on('error', reject);
  });
}

describe('fair sharing between workspaces', () => {
  let t: TestApp;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({
      poolMax: 4,
      limits: {
        workspaceConcurrency: 4,
        streamSlots: 3,
        streamSlotsPerWorkspace: 2,
        streamIdleTimeoutMs: IDLE_MS,
      },
    });
    a = await newWorkspace(t);
    b = await newWorkspace(t);
    await t.db.withTenant(systemPrincipal(a.id, 'bulk'), (tx) =>
      sql`insert into wardroom.audit_log (tenant_id, actor_type, actor_id, action, metadata)
            select ${a.id}::uuid, 'system', 'bulk', 'test.bulk',
                   jsonb_build_object('i', g, 'pad', repeat('x', 1000))
              from generate_series(1, ${EVENTS}::int) g`.execute(tx),
    );
    await t.db.withTenant(systemPrincipal(a.id, 'chainer'), (tx) => chainPending(tx));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-fair-'));
    await createCheckpoint(t.db, t.auditSigner, dir, a.id);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  }, 120_000);
  afterAll(() => t.close());

  it('keeps answering another workspace while one holds downloads and floods requests', async () => {
    const downloads = await Promise.all(
      Array.from({ length: 12 }, () => stalledDownload(port, a.id, a.ownerToken)),
    );
    const held = downloads.filter((d) => d.status === 200);
    const refused = downloads.filter((d) => d.status === 429);
    // Two stream slots per workspace: the rest are refused at once, not queued.

    expect(held).toHaveLength(2);
    expect(refused).toHaveLength(10);
    for (const r of refused) {
      expect(r.retryAfter).toBe('1');
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'rate_limited' } });
    }
    // A floods; what exceeds its concurrency is refused, nothing hangs.
    const flood = await within(
      10_000,
      Promise.all(
        Array.from({ length: 40 }, () =>
          t.app.inject({
            url: `/api/v1/workspaces/${a.id}/workrooms`,
            headers: bearer(a.ownerToken),
          }),
        ),
      ),
    );
    expect(new Set(flood.map((r) => r.statusCode))).toContain(200);
    expect(flood.every((r) => r.statusCode === 200 || r.statusCode === 429)).toBe(true);
    // Meanwhile B is served, one request after another.
    for (let i = 0; i < 10; i++) {
      const res = await within(
        5000,
        t.app.inject({
          url: `/api/v1/workspaces/${b.id}/workrooms`,
          headers: bearer(b.ownerToken),
        }),
      );
      expect(res.statusCode).toBe(200);
    }
    // B can download while A's two downloads are held (the third stream slot).

    const bDownload = await within(5000, stalledDownload(port, b.id, b.ownerToken));

    expect(bDownload.status).toBe(200);
    // Nobody reads: the stalled downloads are cut after the idle timeout,
    // which frees their slots, so A may download again.
    const deadline = Date.now() + IDLE_MS * 4;
    let again = await stalledDownload(port, a.id, a.ownerToken);
    while (again.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      again = await stalledDownload(port, a.id, a.ownerToken);
    }
    expect(again.status).toBe(200);
  }, 60_000);
});

describe('the per-workspace request rate', () => {
  const redisUrl = process.env['TEST_REDIS_URL'];

  it('answers 429 with Retry-After past the limit, for that workspace only', async () => {
    const t = await startTestApp({ rateLimit: { perMinute: 5 } });
    try {
      const a = await newWorkspace(t);
      const b = await newWorkspace(t);
      const get = (ws: TestWorkspace) =>
        t.app.inject({
          url: `/api/v1/workspaces/${ws.id}/workrooms`,
          headers: bearer(ws.ownerToken),
        });
      for (let i = 0; i < 5; i++) expect((await get(a)).statusCode).toBe(200);
      const over = await get(a);
      expect(over.statusCode).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(over.json()).toMatchObject({ error: { code: 'rate_limited' } });
      expect((await get(b)).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it.runIf(redisUrl !== undefined)('counts across processes that share Redis', async () => {
    const clients = [new Redis(redisUrl ?? ''), new Redis(redisUrl ?? '')];
    const apps = await Promise.all(
      clients.map((redis) => startTestApp({ rateLimit: { perMinute: 4, redis } })),
    );
    try {
      const [one, two] = apps as [TestApp, TestApp];
      const ws = await newWorkspace(one);
      const get = (app: TestApp) =>
        app.app.inject({
          url: `/api/v1/workspaces/${ws.id}/workrooms`,
          headers: bearer(ws.ownerToken),
        });
      const codes = [];
      for (const app of [one, two, one, two, one, two]) codes.push((await get(app)).statusCode);
      expect(codes).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
      for (const redis of clients) redis.disconnect();
    }
  });
});
