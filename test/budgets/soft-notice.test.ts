/**
 * Crossing a budget's soft limit tells admins and owners once per window:
 * one `llm_budget.soft_limit_crossed` event and one email to each admin and
 * owner (none to members), however many calls cross it, concurrently or
 * not, and from however many processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, type Admin } from '../support/admin.js';
import { memberToken, startTestApp, type TestApp } from '../support/app.js';
import {
  budgetWorkspace,
  makeBudget,
  openGuard,
  outboxMailer,
  request,
  scopeOf,
  usage,
  type BudgetWorkspace,
} from './helpers.js';

let t: TestApp;
let admin: Admin;
const outbox = outboxMailer();
let guards: Awaited<ReturnType<typeof openGuard>>[];

beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  // A high floor: the tripwire stays out of these tests.
  const velocity = { floorMicros: 1_000_000_000n };
  guards = [
    await openGuard({ mailer: outbox.mailer, velocity }),
    await openGuard({ mailer: outbox.mailer, velocity }),
  ];
});
afterAll(async () => {
  await Promise.all(guards.map((g) => g.close()));
  outbox.mailer.close();
  await admin.close();
  await t.close();
});

async function crossings(ws: BudgetWorkspace) {
  const { rows } = await admin.client.query<{ targets: { id: string }[]; metadata: object }>(
    `select targets, metadata from wardroom.audit_log
      where tenant_id = $1 and action = 'llm_budget.soft_limit_crossed'`,
    [ws.id],
  );
  return rows;
}

describe('soft limit', () => {
  it('notifies admins and owners once per window, not once per call', async () => {
    const ws = await budgetWorkspace(t);
    const adminMember = await memberToken(t, ws, 'admin');
    const budgetId = await makeBudget(t, ws, {
      scope: 'workspace',
      period: 'month',
      hard_limit_micros: 100_000,
      soft_limit_micros: 1_000,
    });
    const spendOnce = async (i: number) => {
      const g = guards[i % 2]!.guard;
      const held = await g.reserve(scopeOf(ws), request(300n));
      await held.settle({ costMicros: 300n, usage, cacheHit: false });
    };
    // 900: under the soft limit, no notice.
    for (const i of [0, 1, 2]) await spendOnce(i);
    await Promise.all(guards.map((g) => g.guard.idle()));
    expect(await crossings(ws)).toHaveLength(0);
    // Twenty calls at once take it past 1,000 and far beyond.
    await Promise.all(Array.from({ length: 20 }, (_, i) => spendOnce(i)));
    await Promise.all(guards.map((g) => g.guard.idle()));
    const events = await crossings(ws);
    expect(events).toHaveLength(1);
    expect(events[0]?.targets).toEqual([{ type: 'llm_budget', id: budgetId }]);
    expect(events[0]?.metadata).toMatchObject({
      scope: 'workspace',
      period: 'month',
      soft_limit_micros: 1000,
    });
    const { rows } = await admin.client.query<{ email: string }>(
      'select email from wardroom.users where id = any($1) order by email',
      [[ws.ownerUserId, adminMember.userId]],
    );
    const mails = outbox.emails().filter((m) => m.subject.includes('soft limit'));
    expect(mails.map((m) => m.to).sort()).toEqual(rows.map((r) => r.email));
    // More spend in the same window: still one notice.
    await spendOnce(0);
    await Promise.all(guards.map((g) => g.guard.idle()));
    expect(await crossings(ws)).toHaveLength(1);
  });

  it('a new window notices again', async () => {
    const ws = await budgetWorkspace(t);
    const budgetId = await makeBudget(t, ws, {
      scope: 'member',
      user_id: ws.memberId,
      period: 'day',
      hard_limit_micros: 10_000,
      soft_limit_micros: 100,
    });
    const spendOnce = async () => {
      const held = await guards[0]!.guard.reserve(scopeOf(ws), request(150n));
      await held.settle({ costMicros: 150n, usage, cacheHit: false });
      await guards[0]!.guard.idle();
    };
    await spendOnce();
    expect(await crossings(ws)).toHaveLength(1);
    // Yesterday's notice (as a budget noticed in an earlier window would have).
    await admin.client.query(
      `update wardroom.llm_budgets set soft_noticed_at = soft_noticed_at - interval '1 day'
        where tenant_id = $1 and id = $2`,
      [ws.id, budgetId],
    );
    await spendOnce();
    expect(await crossings(ws)).toHaveLength(2);
  });
});
