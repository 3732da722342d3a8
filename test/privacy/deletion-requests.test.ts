/**
 * Deletion requests wired to real deletions, attacked and checked: the
 * generic transition cannot start one, an admin who is not an owner cannot
 * confirm one, a mismatched confirmation changes nothing; confirmed, the
 * requester (a member matched by the request's sealed email) is scheduled
 * for deletion after the cooling-off, the request cannot be completed by
 * hand meanwhile, and the sweep pseudonymises them, completes the request
 * and emails the receipt to the address they had. A requester with no
 * account here (even one with an account in another workspace) gets nothing
 * scheduled and an answer that says so; a denial cancels a pending deletion.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptKey, runDueDeletions } from '../../src/modules/privacy/index.js';
import { outboxMailer } from '../budgets/helpers.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call, expectError } from '../support/http.js';

let t: TestApp;
let admin: Admin;
let ws: TestWorkspace;
let now = new Date('2026-12-01T10:00:00Z');
const clock = () => now;
const mail = outboxMailer();
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestApp({ clock, deletion: { mailer: mail.mailer } });
  admin = await connectAdmin();
  ws = await newWorkspace(t);
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const base = () => `/api/v1/workspaces/${ws.id}/privacy/requests`;

async function emailOf(userId: string): Promise<string> {
  const { rows } = await admin.client.query<{ email: string }>(
    'select email from wardroom.users where id = $1',
    [userId],
  );
  return rows[0]!.email;
}

/** A deletion request about `email`, identity verified. */
async function verifiedRequest(email: string): Promise<string> {
  const made = await call(t, 'POST', base(), {
    token: ws.ownerToken,
    payload: { type: 'deletion', subject: { email } },
  });
  expect(made.statusCode, made.body).toBe(201);
  const id = made.json<{ id: string }>().id;
  const moved = await call(t, 'POST', `${base()}/${id}/transitions`, {
    token: ws.ownerToken,
    payload: { to: 'identity_verified' },
  });
  expect(moved.statusCode, moved.body).toBe(200);
  return id;
}

const stateOf = async (id: string) =>
  (await call(t, 'GET', `${base()}/${id}`, { token: ws.ownerToken })).json<{ state: string }>()
    .state;

const deletionsOf = async (userId: string) =>
  (
    await admin.client.query<{ state: string; origin_request_id: string }>(
      'select state, origin_request_id from wardroom.scheduled_deletions where user_id = $1',
      [userId],
    )
  ).rows;

const confirm = (id: string, text: string, token = ws.ownerToken) =>
  call(t, 'POST', `${base()}/${id}/deletion`, { token, payload: { confirm: text } });

const sweep = (only: readonly string[]) =>
  runDueDeletions(
    {
      db: t.db,
      keyring: t.keyring,
      clock,
      coolingOffDays: 7,
      receiptKey: receiptKey(t.authSecret),
      mailer: mail.mailer,
    },
    undefined,
    only,
  );

describe('a deletion request about a member', () => {
  it('is refused every way but the owner’s typed confirmation, then runs after the cooling-off', async () => {
    const member = await memberToken(t, ws, 'member');
    const email = await emailOf(member.userId);
    const adminCaller = await memberToken(t, ws, 'admin');
    const id = await verifiedRequest(email);

    // The generic transition cannot start it; an admin cannot confirm; a wrong email changes nothing.
    const generic = await call(t, 'POST', `${base()}/${id}/transitions`, {
      token: ws.ownerToken,
      payload: { to: 'in_progress' },
    });
    expectError(generic, 400, 'deletion_confirmation_required');
    expectError(await confirm(id, email, adminCaller.token), 403, 'forbidden');
    expectError(await confirm(id, 'someone-else@example.test'), 400, 'confirmation_mismatch');
    expect(await stateOf(id)).toBe('identity_verified');
    expect(await deletionsOf(member.userId)).toEqual([]);

    // What confirming will do.
    const before = await call(t, 'GET', `${base()}/${id}/deletion`, { token: ws.ownerToken });
    expect(before.json()).toEqual({
      subject: { is_user: true, user_id: member.userId },
      access_export: { exists: false, latest_at: null, workspace_id: null },
      deletion: null,
      cooling_off_days: 7,
    });

    const done = await confirm(id, email.toUpperCase());
    expect(done.statusCode, done.body).toBe(200);
    const body = done.json<{
      request: { state: string };
      deletion: { state: string; runs_after: string; request_id: string };
      note: string | null;
    }>();
    expect(body.request.state).toBe('in_progress');
    expect(body.note).toBeNull();
    expect(body.deletion).toMatchObject({
      state: 'pending',
      request_id: id,
      runs_after: new Date(now.getTime() + 7 * DAY).toISOString(),
    });
    // Not by hand while it waits; and the member still works meanwhile.
    expectError(
      await call(t, 'POST', `${base()}/${id}/transitions`, {
        token: ws.ownerToken,
        payload: { to: 'completed' },
      }),
      409,
      'privacy_transition_invalid',
    );
    const early = await call(t, 'GET', `/api/v1/workspaces/${ws.id}/workrooms`, {
      token: member.token,
    });
    expect(early.statusCode).toBe(200);

    now = new Date(now.getTime() + 8 * DAY);
    const swept = await sweep([member.userId]);
    expect(swept).toMatchObject({ claimed: 1, completed: 1, receipts: 1 });
    expect(await sweep([member.userId])).toEqual({ claimed: 0, completed: 0, receipts: 0 });
    expect(await stateOf(id)).toBe('completed');
    expect(await emailOf(member.userId)).toMatch(/^deleted-.*@deleted\.invalid$/);
    const late = await call(t, 'GET', `/api/v1/workspaces/${ws.id}/workrooms`, {
      token: member.token,
    });
    expect(late.statusCode).toBe(401);
    expect(mail.emails().filter((m) => m.to === email)).toEqual([
      { to: email, subject: 'Your Wardroom account was deleted' },
    ]);
    const { rows: events } = await admin.client.query<{ action: string; actor_type: string }>(
      `select action, actor_type from wardroom.audit_log
        where tenant_id = $1 and targets @> $2::jsonb and not starts_with(action, 'privacy_request.')
        order by id`,
      [ws.id, JSON.stringify([{ type: 'privacy_request', id }])],
    );
    expect(events.map((e) => e.action)).toEqual([
      'privacy.request.received',
      'privacy.request.state_changed',
      'privacy.deletion.scheduled',
      'privacy.request.state_changed',
      'privacy.deletion.started',
      'privacy.request.state_changed',
      'privacy.deletion.completed',
    ]);
  });

  it('is cancelled with its request, before it runs', async () => {
    const member = await memberToken(t, ws, 'viewer');
    const id = await verifiedRequest(await emailOf(member.userId));
    expect((await confirm(id, await emailOf(member.userId))).statusCode).toBe(200);
    const denied = await call(t, 'POST', `${base()}/${id}/transitions`, {
      token: ws.ownerToken,
      payload: { to: 'denied', reason: 'Identity could not be confirmed after all' },
    });
    expect(denied.statusCode, denied.body).toBe(200);
    expect(await deletionsOf(member.userId)).toEqual([
      { state: 'cancelled', origin_request_id: id },
    ]);
    now = new Date(now.getTime() + 30 * DAY);
    expect(await sweep([member.userId])).toMatchObject({ claimed: 0 });
    expect(await emailOf(member.userId)).not.toMatch(/deleted\.invalid$/);
  });
});

describe('a deletion request about someone with no account here', () => {
  it('schedules nothing, even for an account in another workspace, and says so', async () => {
    const elsewhere = await newWorkspace(t);
    const stranger = await memberToken(t, elsewhere, 'member');
    const { rows: before } = await admin.client.query<{ n: string }>(
      'select count(*) as n from wardroom.scheduled_deletions',
    );
    for (const email of [
      `nobody-${randomBytes(4).toString('hex')}@example.test`,
      await emailOf(stranger.userId),
    ]) {
      const id = await verifiedRequest(email);
      const res = await confirm(id, email);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ subject: { is_user: boolean }; deletion: null; note: string }>();
      expect(body.subject.is_user).toBe(false);
      expect(body.deletion).toBeNull();
      expect(body.note).toContain('nothing was scheduled and nothing was deleted');
      expect(await stateOf(id)).toBe('in_progress');
    }
    const { rows: after } = await admin.client.query<{ n: string }>(
      'select count(*) as n from wardroom.scheduled_deletions',
    );
    expect(after).toEqual(before);
    expect(await emailOf(stranger.userId)).not.toMatch(/deleted\.invalid$/);
  });
});
