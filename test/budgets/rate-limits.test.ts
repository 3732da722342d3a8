/**
 * Requests and tokens per minute per workspace, enforced in `reserve`:
 * `rate_limited` with `retryAfterSeconds`, nothing held. In-process
 * without Redis; with Redis, two guards (two processes) share one count.
 * The guards' clock is fixed, so no test straddles a minute boundary.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/base/errors.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';
import { budgetWorkspace, openGuard, request, scopeOf, type BudgetWorkspace } from './helpers.js';

let t: TestApp;
// The middle of a minute, 30 s before its end.
const clock = () => 1_800_000_030_000;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function setLimits(ws: BudgetWorkspace, body: object): Promise<void> {
  const res = await call(t, 'PUT', `/api/v1/workspaces/${ws.id}/llm/limits`, {
    token: ws.ownerToken,
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(200);
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe('in one process', () => {
  it('refuses past the requests per minute, with a Retry-After detail', async () => {
    const g = await openGuard({ clock });
    try {
      const ws = await budgetWorkspace(t);
      await setLimits(ws, { requests_per_minute: 3, tokens_per_minute: null });
      const results = [];
      for (let i = 0; i < 4; i += 1)
        results.push(await outcome(g.guard.reserve(scopeOf(ws), request(1n))));
      expect(results).toEqual(['ok', 'ok', 'ok', 'rate_limited']);
      const error = await g.guard.reserve(scopeOf(ws), request(1n)).catch((e: unknown) => e);
      expect((error as AppError).details).toEqual({
        limit: 'requests_per_minute',
        max: 3,
        retryAfterSeconds: 30,
      });
      // Another workspace has its own count.
      const other = await budgetWorkspace(t);
      await setLimits(other, { requests_per_minute: 3, tokens_per_minute: null });
      expect(await outcome(g.guard.reserve(scopeOf(other), request(1n)))).toBe('ok');
    } finally {
      await g.close();
    }
  });

  it('counts worst-case tokens; a refused call gives its tokens back', async () => {
    const g = await openGuard({ clock });
    try {
      const ws = await budgetWorkspace(t);
      await setLimits(ws, { requests_per_minute: null, tokens_per_minute: 1000 });
      expect(await outcome(g.guard.reserve(scopeOf(ws), request(1n, 600)))).toBe('ok');
      expect(await outcome(g.guard.reserve(scopeOf(ws), request(1n, 500)))).toBe('rate_limited');
      // The refused 500 were not kept: 400 still fit.
      expect(await outcome(g.guard.reserve(scopeOf(ws), request(1n, 400)))).toBe('ok');
      expect(await outcome(g.guard.reserve(scopeOf(ws), request(1n, 1)))).toBe('rate_limited');
    } finally {
      await g.close();
    }
  });

  it('no limits set: nothing is counted', async () => {
    const g = await openGuard({ clock });
    try {
      const ws = await budgetWorkspace(t);
      for (let i = 0; i < 5; i += 1) {
        expect(await outcome(g.guard.reserve(scopeOf(ws), request(1n, 1_000_000)))).toBe('ok');
      }
    } finally {
      await g.close();
    }
  });
});

const redisUrl = process.env['TEST_REDIS_URL'];

describe.runIf(redisUrl !== undefined)('across processes sharing Redis', () => {
  it('two guards share the requests and tokens per minute', async () => {
    const clients = [new Redis(redisUrl ?? ''), new Redis(redisUrl ?? '')];
    const [a, b] = [
      await openGuard({ clock, redis: clients[0] }),
      await openGuard({ clock, redis: clients[1] }),
    ];
    try {
      const ws = await budgetWorkspace(t);
      await setLimits(ws, { requests_per_minute: 4, tokens_per_minute: null });
      const results = [];
      for (const g of [a, b, a, b, a, b]) {
        results.push(await outcome(g.guard.reserve(scopeOf(ws), request(1n))));
      }
      expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
      const tokens = await budgetWorkspace(t);
      await setLimits(tokens, { requests_per_minute: null, tokens_per_minute: 1000 });
      expect(await outcome(a.guard.reserve(scopeOf(tokens), request(1n, 700)))).toBe('ok');
      expect(await outcome(b.guard.reserve(scopeOf(tokens), request(1n, 400)))).toBe(
        'rate_limited',
      );
      expect(await outcome(b.guard.reserve(scopeOf(tokens), request(1n, 300)))).toBe('ok');
      // What Redis holds: counts under the workspace id, no prompt, no key.
      const keys = await clients[0]!.keys(`wardroom-llm-rate-${tokens.id}:*`);
      expect(keys).toHaveLength(1);
      expect(await clients[0]!.get(keys[0]!)).toBe('1000');
    } finally {
      await a.close();
      await b.close();
      clients.forEach((c) => c.disconnect());
    }
  });
});
