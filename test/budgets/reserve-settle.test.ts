/**
 * The reservation rules on the real database: a reservation holds its worst
 * case against every budget that applies (workspace, member, token; day and
 * month) until it is settled (the actual cost, even above the worst case) or
 * released; exactly one of the two takes effect, across processes; an
 * expired reservation stops counting; a refusal holds nothing; bad input
 * changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/base/errors.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  budgetWorkspace,
  makeBudget,
  openGuard,
  request,
  scopeOf,
  usage,
  type BudgetWorkspace,
} from './helpers.js';

let t: TestApp;
let admin: Admin;
let one: Awaited<ReturnType<typeof openGuard>>;
let two: Awaited<ReturnType<typeof openGuard>>;

beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  one = await openGuard();
  two = await openGuard();
});
afterAll(async () => {
  await one.close();
  await two.close();
  await admin.close();
  await t.close();
});

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function ledger(ws: BudgetWorkspace) {
  const { rows } = await admin.client.query<{
    id: string;
    status: string;
    reserved_micros: string;
    settled_micros: string | null;
  }>(
    'select id, status, reserved_micros, settled_micros from wardroom.llm_usage where tenant_id = $1 order by created_at',
    [ws.id],
  );
  return rows;
}

describe('reserve, settle, release', () => {
  it('holds the worst case until settled, then counts the actual cost', async () => {
    const ws = await budgetWorkspace(t);
    await makeBudget(t, ws, { scope: 'workspace', period: 'month', hard_limit_micros: 1000 });
    const first = await one.guard.reserve(scopeOf(ws), request(700n));
    // 700 held: 400 more would pass 1000.
    const refused = await refusal(one.guard.reserve(scopeOf(ws), request(400n)));
    expect(refused.code).toBe('budget_exceeded');
    expect(refused.details).toMatchObject({
      scope: 'workspace',
      period: 'month',
      limit_micros: 1000,
      spent_micros: 700,
      requested_micros: 400,
    });
    await first.settle({ costMicros: 200n, usage, cacheHit: false });
    // 200 settled: 400 fits now, 801 would not.
    const second = await one.guard.reserve(scopeOf(ws), request(400n));
    expect((await refusal(one.guard.reserve(scopeOf(ws), request(401n)))).code).toBe(
      'budget_exceeded',
    );
    await second.release();
    await one.guard.reserve(scopeOf(ws), request(800n));
    const rows = await ledger(ws);
    expect(rows.map((r) => r.status)).toEqual(['settled', 'released', 'reserved']);
    expect(rows[0]?.settled_micros).toBe('200');
  });

  it('a refusal holds nothing and writes no ledger row', async () => {
    const ws = await budgetWorkspace(t);
    await makeBudget(t, ws, { scope: 'workspace', period: 'day', hard_limit_micros: 100 });
    const before = await admin.snapshot(ws.id);
    expect((await refusal(one.guard.reserve(scopeOf(ws), request(101n)))).code).toBe(
      'budget_exceeded',
    );
    expect((await admin.snapshot(ws.id)).llm_usage).toEqual(before.llm_usage);
    await one.guard.reserve(scopeOf(ws), request(100n));
  });

  it('exactly one of concurrent settles and releases takes effect', async () => {
    const ws = await budgetWorkspace(t);
    const held = await one.guard.reserve(scopeOf(ws), request(500n));
    // All four start before any commits, so each reaches the database: only
    // the conditional UPDATE (status still 'reserved') decides.
    await Promise.all([
      held.settle({ costMicros: 300n, usage, cacheHit: false }),
      held.release(),
      held.release(),
      held.settle({ costMicros: 999n, usage, cacheHit: true }),
    ]);
    const [row] = await ledger(ws);
    expect(['settled', 'released']).toContain(row?.status);
    if (row?.status === 'settled') expect(['300', '999']).toContain(row.settled_micros);
    const { rows } = await admin.client.query(
      `select count(*)::int as n from wardroom.audit_log
        where tenant_id = $1 and action = 'llm_usage.updated'`,
      [ws.id],
    );
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('records an actual cost above the reservation (the truth) and counts it', async () => {
    const ws = await budgetWorkspace(t);
    await makeBudget(t, ws, { scope: 'workspace', period: 'month', hard_limit_micros: 1000 });
    const held = await one.guard.reserve(scopeOf(ws), request(100n));
    await held.settle({ costMicros: 950n, usage, cacheHit: false });
    expect((await ledger(ws))[0]?.settled_micros).toBe('950');
    expect((await refusal(one.guard.reserve(scopeOf(ws), request(51n)))).code).toBe(
      'budget_exceeded',
    );
    await one.guard.reserve(scopeOf(ws), request(50n));
  });

  it('an expired reservation (its process died) stops counting; a live one does not', async () => {
    const ws = await budgetWorkspace(t);
    await makeBudget(t, ws, { scope: 'workspace', period: 'month', hard_limit_micros: 1000 });
    const dead = await one.guard.reserve(scopeOf(ws), request(1000n));
    expect((await refusal(two.guard.reserve(scopeOf(ws), request(1n)))).code).toBe(
      'budget_exceeded',
    );
    // Time passes for that reservation only: its deadline is now behind us.
    await admin.client.query(
      `update wardroom.llm_usage set expires_at = now() - interval '1 second' where tenant_id = $1 and id = $2`,
      [ws.id, dead.id],
    );
    await two.guard.reserve(scopeOf(ws), request(1000n));
  });
});

describe('each scope', () => {
  it('a member budget limits that member only; a token budget that token only', async () => {
    const ws = await budgetWorkspace(t);
    await makeBudget(t, ws, {
      scope: 'member',
      user_id: ws.memberId,
      period: 'day',
      hard_limit_micros: 500,
    });
    await makeBudget(t, ws, {
      scope: 'token',
      token_id: ws.tokenId,
      period: 'month',
      hard_limit_micros: 300,
    });
    // Through the token: 300 max (token budget), also under the member's 500.
    await one.guard.reserve(scopeOf(ws, { token: true }), request(300n));
    const viaToken = await refusal(one.guard.reserve(scopeOf(ws, { token: true }), request(1n)));
    expect(viaToken.details).toMatchObject({ scope: 'token', period: 'month' });
    // Without the token, the member has 200 left of 500.
    await one.guard.reserve(scopeOf(ws), request(200n));
    const member = await refusal(one.guard.reserve(scopeOf(ws), request(1n)));
    expect(member.details).toMatchObject({ scope: 'member', period: 'day' });
    // The owner has no budget of their own and no workspace budget applies.
    await one.guard.reserve(scopeOf(ws, { owner: true }), request(1_000_000n));
  });

  it('a day and a month budget both apply; the tighter one refuses', async () => {
    const ws = await budgetWorkspace(t);
    await makeBudget(t, ws, { scope: 'workspace', period: 'day', hard_limit_micros: 600 });
    await makeBudget(t, ws, { scope: 'workspace', period: 'month', hard_limit_micros: 400 });
    await one.guard.reserve(scopeOf(ws, { owner: true }), request(400n));
    const refused = await refusal(one.guard.reserve(scopeOf(ws), request(1n)));
    expect(refused.details).toMatchObject({ scope: 'workspace', period: 'month' });
  });

  it("another workspace's spend never counts against this one", async () => {
    const a = await budgetWorkspace(t);
    const b = await budgetWorkspace(t);
    await makeBudget(t, a, { scope: 'workspace', period: 'month', hard_limit_micros: 100 });
    await makeBudget(t, b, { scope: 'workspace', period: 'month', hard_limit_micros: 100 });
    await one.guard.reserve(scopeOf(a), request(100n));
    await one.guard.reserve(scopeOf(b), request(100n));
  });
});

describe('bad input', () => {
  it('is refused with validation_failed and writes nothing', async () => {
    const ws = await budgetWorkspace(t);
    const before = await admin.snapshot(ws.id);
    const bad = [
      { ...request(-1n) },
      { ...request(10n), worstCaseTokens: -5 },
      { ...request(10n), worstCaseTokens: 1.5 },
      { ...request(10n), callId: 'not-a-uuid' },
      { ...request(10n), model: '' },
      { ...request(2_000_000_000_000_000n) },
    ];
    for (const r of bad) {
      expect((await refusal(one.guard.reserve(scopeOf(ws), r))).code).toBe('validation_failed');
    }
    const forged = { ...scopeOf(ws), userId: 'nobody' };
    expect((await refusal(one.guard.reserve(forged, request(1n)))).code).toBe('validation_failed');
    expect(await admin.snapshot(ws.id)).toEqual(before);
    const held = await one.guard.reserve(scopeOf(ws), request(10n));
    expect((await refusal(held.settle({ costMicros: -1n, usage, cacheHit: false }))).code).toBe(
      'validation_failed',
    );
    expect(
      (
        await refusal(
          held.settle({
            costMicros: 1n,
            usage: { inputTokens: -1, outputTokens: 0 },
            cacheHit: false,
          }),
        )
      ).code,
    ).toBe('validation_failed');
    expect((await ledger(ws))[0]?.status).toBe('reserved');
  });

  it('a call id used twice is a conflict, and the first reservation stands', async () => {
    const ws = await budgetWorkspace(t);
    const r = request(10n);
    await one.guard.reserve(scopeOf(ws), r);
    expect((await refusal(one.guard.reserve(scopeOf(ws), r))).code).toBe('conflict');
    expect(await ledger(ws)).toHaveLength(1);
  });
});
