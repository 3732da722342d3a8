/**
 * The budget routes over HTTP: admins create, read, change and delete
 * budgets and set rate limits; members read only their own usage; bad input
 * gets a stable code and changes nothing; another workspace's budget,
 * member or token ids are invisible and unchangeable (not_found, whether or
 * not they exist). Usage by key keeps BYOK and platform spend apart.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, type Admin } from '../support/admin.js';
import { memberToken, startTestApp, type TestApp } from '../support/app.js';
import { call, expectError } from '../support/http.js';
import { budgetWorkspace, makeBudget, openGuard, request, scopeOf, usage } from './helpers.js';

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

const budgets = (ws: string) => `/api/v1/workspaces/${ws}/llm/budgets`;

describe('budget routes', () => {
  it('create, list with spend, change and delete', async () => {
    const ws = await budgetWorkspace(t);
    const created = await call(t, 'POST', budgets(ws.id), {
      token: ws.ownerToken,
      payload: {
        scope: 'member',
        user_id: ws.memberId,
        period: 'day',
        hard_limit_micros: 5_000_000,
        soft_limit_micros: 4_000_000,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const budget = created.json<{ id: string; window_start: string }>();
    expect(created.json()).toMatchObject({
      scope: 'member',
      user_id: ws.memberId,
      token_id: null,
      period: 'day',
      hard_limit_micros: 5_000_000,
      soft_limit_micros: 4_000_000,
      settled_micros: 0,
      spent_micros: 0,
    });
    expect(budget.window_start).toMatch(/T00:00:00.000Z$/);
    const g = await openGuard();
    try {
      const held = await g.guard.reserve(scopeOf(ws), request(1_000n));
      const listed = await call(t, 'GET', budgets(ws.id), { token: ws.ownerToken });
      expect(listed.json()).toMatchObject({
        items: [{ id: budget.id, spent_micros: 1000, settled_micros: 0 }],
      });
      await held.settle({ costMicros: 600n, usage, cacheHit: false });
    } finally {
      await g.close();
    }
    const got = await call(t, 'GET', `${budgets(ws.id)}/${budget.id}`, { token: ws.ownerToken });
    expect(got.json()).toMatchObject({ spent_micros: 600, settled_micros: 600 });
    const patched = await call(t, 'PATCH', `${budgets(ws.id)}/${budget.id}`, {
      token: ws.ownerToken,
      payload: { hard_limit_micros: 9_000_000, soft_limit_micros: null },
    });
    expect(patched.json()).toMatchObject({ hard_limit_micros: 9_000_000, soft_limit_micros: null });
    expect(
      (await call(t, 'DELETE', `${budgets(ws.id)}/${budget.id}`, { token: ws.ownerToken }))
        .statusCode,
    ).toBe(204);
    expectError(
      await call(t, 'GET', `${budgets(ws.id)}/${budget.id}`, { token: ws.ownerToken }),
      404,
      'not_found',
    );
  });

  it('one budget per subject and period: a second is a conflict', async () => {
    const ws = await budgetWorkspace(t);
    await makeBudget(t, ws, { scope: 'workspace', period: 'month', hard_limit_micros: 10 });
    expectError(
      await call(t, 'POST', budgets(ws.id), {
        token: ws.ownerToken,
        payload: { scope: 'workspace', period: 'month', hard_limit_micros: 20 },
      }),
      409,
      'conflict',
    );
    await makeBudget(t, ws, { scope: 'workspace', period: 'day', hard_limit_micros: 20 });
  });

  it('bad input gets validation_failed and changes nothing', async () => {
    const ws = await budgetWorkspace(t);
    const before = await admin.snapshot(ws.id);
    const bad: object[] = [
      { scope: 'workspace', period: 'week', hard_limit_micros: 1 },
      { scope: 'workspace', period: 'day', hard_limit_micros: -1 },
      { scope: 'workspace', period: 'day', hard_limit_micros: 1.5 },
      { scope: 'workspace', period: 'day', hard_limit_micros: 2e15 },
      { scope: 'workspace', period: 'day', hard_limit_micros: 10, soft_limit_micros: 11 },
      { scope: 'member', period: 'day', hard_limit_micros: 10 },
      { scope: 'workspace', user_id: ws.memberId, period: 'day', hard_limit_micros: 10 },
      { scope: 'token', user_id: ws.memberId, period: 'day', hard_limit_micros: 10 },
      { scope: 'workspace', period: 'day', hard_limit_micros: 10, extra: true },
    ];
    for (const payload of bad) {
      expectError(
        await call(t, 'POST', budgets(ws.id), { token: ws.ownerToken, payload }),
        400,
        'validation_failed',
        JSON.stringify(payload),
      );
    }
    const id = await makeBudget(t, ws, {
      scope: 'workspace',
      period: 'day',
      hard_limit_micros: 10,
    });
    const after = await admin.snapshot(ws.id);
    expectError(
      await call(t, 'PATCH', `${budgets(ws.id)}/${id}`, {
        token: ws.ownerToken,
        payload: { soft_limit_micros: 11 },
      }),
      400,
      'validation_failed',
    );
    expectError(
      await call(t, 'PUT', `/api/v1/workspaces/${ws.id}/llm/limits`, {
        token: ws.ownerToken,
        payload: { requests_per_minute: 0, tokens_per_minute: null },
      }),
      400,
      'validation_failed',
    );
    expect(await admin.snapshot(ws.id)).toEqual(after);
    expect(after.llm_budgets).toHaveLength(before.llm_budgets.length + 1);
  });

  it('members and viewers cannot manage budgets or limits', async () => {
    const ws = await budgetWorkspace(t);
    const viewer = await memberToken(t, ws, 'viewer');
    const id = await makeBudget(t, ws, {
      scope: 'workspace',
      period: 'day',
      hard_limit_micros: 10,
    });
    for (const token of [ws.memberToken, viewer.token]) {
      expectError(await call(t, 'GET', budgets(ws.id), { token }), 403, 'forbidden');
      expectError(
        await call(t, 'PATCH', `${budgets(ws.id)}/${id}`, {
          token,
          payload: { hard_limit_micros: 1e9 },
        }),
        403,
        'forbidden',
      );
      expectError(
        await call(t, 'PUT', `/api/v1/workspaces/${ws.id}/llm/limits`, {
          token,
          payload: { requests_per_minute: null, tokens_per_minute: null },
        }),
        403,
        'forbidden',
      );
      expectError(
        await call(t, 'GET', `/api/v1/workspaces/${ws.id}/llm/usage`, { token }),
        403,
        'forbidden',
      );
    }
  });
});

describe("another workspace's ids", () => {
  it('are invisible and unchangeable', async () => {
    const a = await budgetWorkspace(t);
    const b = await budgetWorkspace(t);
    const aBudget = await makeBudget(t, a, {
      scope: 'workspace',
      period: 'day',
      hard_limit_micros: 10,
    });
    const before = await admin.snapshot(a.id);
    const asB = { token: b.ownerToken };
    for (const id of [aBudget, randomUUID()]) {
      expectError(await call(t, 'GET', `${budgets(b.id)}/${id}`, asB), 404, 'not_found');
      expectError(
        await call(t, 'PATCH', `${budgets(b.id)}/${id}`, {
          ...asB,
          payload: { hard_limit_micros: 1e9 },
        }),
        404,
        'not_found',
      );
      expectError(await call(t, 'DELETE', `${budgets(b.id)}/${id}`, asB), 404, 'not_found');
    }
    // A's member and token named in B: not found, nothing created.
    expectError(
      await call(t, 'POST', budgets(b.id), {
        ...asB,
        payload: { scope: 'member', user_id: a.memberId, period: 'day', hard_limit_micros: 1 },
      }),
      404,
      'not_found',
    );
    expectError(
      await call(t, 'POST', budgets(b.id), {
        ...asB,
        payload: { scope: 'token', token_id: a.tokenId, period: 'day', hard_limit_micros: 1 },
      }),
      404,
      'not_found',
    );
    // A's token on B's URL: refused before anything is read.
    expect(
      (await call(t, 'GET', budgets(b.id), { token: a.ownerToken })).statusCode,
    ).toBeGreaterThanOrEqual(401);
    expect((await call(t, 'GET', budgets(b.id), asB)).json()).toEqual({ items: [] });
    expect(await admin.snapshot(a.id)).toEqual(before);
    expect((await admin.snapshot(b.id)).llm_budgets).toEqual([]);
  });
});

describe('usage', () => {
  it('by key, BYOK apart from platform; a member reads only their own', async () => {
    const ws = await budgetWorkspace(t);
    const credentialId = randomUUID();
    const g = await openGuard();
    try {
      const settle = async (
        scope: Parameters<typeof g.guard.reserve>[0],
        cost: bigint,
        cacheHit = false,
      ) => {
        const held = await g.guard.reserve(scope, request(cost));
        await held.settle({ costMicros: cost, usage, cacheHit });
      };
      await settle(scopeOf(ws, { key: { source: 'byok', credentialId } }), 1_000n);
      await settle(scopeOf(ws, { key: { source: 'byok', credentialId } }), 500n, true);
      await settle(
        scopeOf(ws, { owner: true, key: { source: 'platform', provider: 'openai' } }),
        2_000n,
      );
      await g.guard.reserve(
        scopeOf(ws, { owner: true, key: { source: 'platform', provider: 'openai' } }),
        request(70n),
      );
    } finally {
      await g.close();
    }
    const all = await call(t, 'GET', `/api/v1/workspaces/${ws.id}/llm/usage`, {
      token: ws.ownerToken,
    });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json()).toMatchObject({
      byok_cost_micros: 1_500,
      platform_cost_micros: 2_000,
      keys: [
        {
          key: `byok:${credentialId}`,
          key_source: 'byok',
          credential_id: credentialId,
          provider: 'anthropic',
          calls: 2,
          cost_micros: 1_500,
          reserved_micros: 0,
          tokens_in: 20,
          tokens_out: 40,
          cache_hits: 1,
        },
        { key: 'platform:openai', calls: 1, cost_micros: 2_000, reserved_micros: 70 },
      ],
    });
    const mine = await call(t, 'GET', `/api/v1/workspaces/${ws.id}/llm/usage/mine`, {
      token: ws.memberToken,
    });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json()).toMatchObject({ byok_cost_micros: 1_500, platform_cost_micros: 0 });
    expect(mine.json<{ keys: unknown[] }>().keys).toHaveLength(1);
  });
});
