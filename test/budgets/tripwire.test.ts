/**
 * The velocity tripwire: a key whose spend in five minutes passes
 * max(floor, 10 × the workspace's normal rate) is suspended: an audit event,
 * an email to each owner (not to other members), and every process then
 * refuses that key, and only that key. An owner resumes it over HTTP
 * (audited); admins cannot; a resumed key starts a fresh window.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/base/errors.js';
import type { KeySource } from '../../src/modules/gateway/index.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { memberToken, startTestApp, type TestApp } from '../support/app.js';
import { call, expectError } from '../support/http.js';
import {
  budgetWorkspace,
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
const velocity = { floorMicros: 1000n, windowSeconds: 300, multiplier: 10, baselineDays: 7 };
let one: Awaited<ReturnType<typeof openGuard>>;
let two: Awaited<ReturnType<typeof openGuard>>;

beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  one = await openGuard({ velocity, mailer: outbox.mailer });
  two = await openGuard({ velocity, mailer: outbox.mailer });
});
afterAll(async () => {
  await one.close();
  await two.close();
  outbox.mailer.close();
  await admin.close();
  await t.close();
});

async function spend(ws: BudgetWorkspace, micros: bigint, key: KeySource): Promise<void> {
  const held = await one.guard.reserve(scopeOf(ws, { key }), request(micros));
  await held.settle({ costMicros: micros, usage, cacheHit: false });
  await one.guard.idle();
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

async function events(ws: BudgetWorkspace, action: string) {
  const { rows } = await admin.client.query<{ metadata: Record<string, unknown> }>(
    'select metadata from wardroom.audit_log where tenant_id = $1 and action = $2',
    [ws.id, action],
  );
  return rows;
}

async function ownerEmail(ws: BudgetWorkspace): Promise<string> {
  const { rows } = await admin.client.query<{ email: string }>(
    'select email from wardroom.users where id = $1',
    [ws.ownerUserId],
  );
  return rows[0]?.email ?? '';
}

describe('velocity tripwire', () => {
  it('a new workspace is not tripped under the floor; past it, that key is suspended everywhere', async () => {
    const ws = await budgetWorkspace(t);
    await memberToken(t, ws, 'admin');
    const byok: KeySource = { source: 'byok', credentialId: randomUUID() };
    await spend(ws, 900n, byok);
    expect(await code(two.guard.reserve(scopeOf(ws, { key: byok }), request(1n)))).toBe('ok');
    await spend(ws, 200n, byok); // 1,100 in the window: past the floor of 1,000
    // Another process refuses the key at once: the suspension is a row.
    const refused = await two.guard
      .reserve(scopeOf(ws, { key: byok }), request(1n))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('llm_key_suspended');
    expect((refused as AppError).details).toEqual({ key: `byok:${byok.credentialId}` });
    // Only that key: the offline key of the same workspace still works.
    expect(await code(two.guard.reserve(scopeOf(ws), request(1n)))).toBe('ok');
    const suspended = await events(ws, 'llm_key.suspended');
    expect(suspended).toHaveLength(1);
    expect(suspended[0]?.metadata).toMatchObject({
      key: `byok:${byok.credentialId}`,
      window_micros: 1100,
      threshold_micros: 1000,
    });
    // One email, to the owner only (not the admin, not the member).
    const mails = outbox.emails().filter((m) => m.subject.includes(byok.credentialId));
    expect(mails.map((m) => m.to)).toEqual([await ownerEmail(ws)]);
    expect(await events(ws, 'mail.send.outcome')).toHaveLength(1);
  });

  it("the threshold follows the workspace's normal rate", async () => {
    const ws = await budgetWorkspace(t);
    // History: 6,048,000 micros over the last week = 3,000 per five minutes,
    // so the tripwire is at 30,000 (ten times that), far above the floor.
    await admin.client.query(
      `insert into wardroom.llm_usage (tenant_id, id, user_id, key_source, provider, model,
              reserved_tokens, reserved_micros, settled_micros, status, expires_at, created_at, finished_at)
       values ($1, gen_random_uuid(), $2, 'platform', 'openai', 'gpt-test', 0, 6048000, 6048000,
               'settled', now() - interval '2 days', now() - interval '2 days', now() - interval '2 days')`,
      [ws.id, ws.memberId],
    );
    const platform: KeySource = { source: 'platform', provider: 'openai' };
    await spend(ws, 20_000n, platform);
    await spend(ws, 9_000n, platform);
    expect(await events(ws, 'llm_key.suspended')).toHaveLength(0);
    await spend(ws, 2_000n, platform); // 31,000 > 30,000
    const suspended = await events(ws, 'llm_key.suspended');
    expect(suspended).toHaveLength(1);
    expect(suspended[0]?.metadata).toMatchObject({
      key: 'platform:openai',
      threshold_micros: 30_000,
    });
    expect(await code(one.guard.reserve(scopeOf(ws, { key: platform }), request(1n)))).toBe(
      'llm_key_suspended',
    );
  });

  it('an owner resumes the key (audited); an admin or another workspace cannot', async () => {
    const ws = await budgetWorkspace(t);
    const adminMember = await memberToken(t, ws, 'admin');
    await spend(ws, 1500n, { source: 'offline' });
    const list = await call(t, 'GET', `/api/v1/workspaces/${ws.id}/llm/suspensions`, {
      token: adminMember.token,
    });
    expect(list.statusCode).toBe(200);
    const [suspension] = list.json<{ items: { id: string; key: string }[] }>().items;
    expect(suspension?.key).toBe('offline');
    const url = `/api/v1/workspaces/${ws.id}/llm/suspensions/${suspension?.id}/resume`;
    expectError(await call(t, 'POST', url, { token: adminMember.token }), 403, 'forbidden');
    // Another workspace's owner, naming this suspension: not found, nothing changes.
    const other = await budgetWorkspace(t);
    expectError(
      await call(
        t,
        'POST',
        `/api/v1/workspaces/${other.id}/llm/suspensions/${suspension?.id}/resume`,
        { token: other.ownerToken },
      ),
      404,
      'not_found',
    );
    expect(await code(one.guard.reserve(scopeOf(ws), request(1n)))).toBe('llm_key_suspended');
    const resumed = await call(t, 'POST', url, { token: ws.ownerToken });
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(resumed.json()).toMatchObject({ resumed_by: ws.ownerUserId });
    expect(await events(ws, 'llm_key.resumed')).toHaveLength(1);
    expectError(await call(t, 'POST', url, { token: ws.ownerToken }), 404, 'not_found');
    // Resumed: calls go through, and the spend before the resume no longer counts.
    await spend(ws, 500n, { source: 'offline' });
    expect(await events(ws, 'llm_key.suspended')).toHaveLength(1);
    expect(await code(two.guard.reserve(scopeOf(ws), request(1n)))).toBe('ok');
  });
});
