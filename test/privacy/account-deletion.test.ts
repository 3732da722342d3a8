/**
 * "Delete my account", attacked and checked: without a fresh sign-in, with
 * the wrong email typed, or as the last owner of a workspace, nothing is
 * scheduled; once scheduled, the account works through the cooling-off and
 * nothing is deleted before it ends; after the sweep, the old email cannot
 * sign in, the person's sessions and API tokens answer 401, their profiles
 * read "Deleted User", the receipt reached the old address once, no table
 * of a dump holds the old address, and the workspace's audit log still
 * verifies. The clock is the test's (the sweep and due dates follow it).
 */
import { dumpRows } from '../support/dump.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyWorkspace } from '../../src/modules/audit/index.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { pseudonymiseUser, receiptKey, runDueDeletions } from '../../src/modules/privacy/index.js';
import { outboxMailer } from '../budgets/helpers.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  bearer,
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { signer } from '../support/audit.js';
import { signIn, type Browser } from '../support/sign-in.js';

let t: TestApp;
let admin: Admin;
let ws: TestWorkspace;
let other: TestWorkspace;
let now = new Date('2026-11-29T09:00:00Z');
const clock = () => now;
const mail = outboxMailer();
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestApp({ clock, deletion: { mailer: mail.mailer } });
  admin = await connectAdmin();
  ws = await newWorkspace(t);
  other = await newWorkspace(t);
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const fresh = () => `leaver-${randomBytes(6).toString('hex')}@example.test`;

async function invite(into: TestWorkspace, email: string, role = 'member'): Promise<void> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${into.id}/members`,
    headers: bearer(into.ownerToken),
    payload: { email, role, display_name: 'Ada Leaver' },
  });
  expect(res.statusCode, res.body).toBe(201);
}

async function ownToken(into: TestWorkspace, b: Browser): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${into.id}/tokens`,
    headers: b.write,
    payload: { name: 'mine' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ token: string }>().token;
}

const deleteAccount = (b: Browser, confirm_email: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/account/delete',
    headers: b.write,
    payload: { confirm_email },
  });

const me = (b: Browser) =>
  t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: b.cookie } });

interface DeletionBody {
  id: string;
  state: string;
  runs_after: string;
  requested_at: string;
  origin: string;
}

const status = async (b: Browser) => {
  const res = await t.app.inject({
    method: 'GET',
    url: '/api/v1/account/deletion',
    headers: { cookie: b.cookie },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{
    deletion: DeletionBody | null;
    access_export: { exists: boolean };
    cooling_off_days: number;
  }>();
};

const cancel = (b: Browser, id: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/account/deletion/cancel',
    headers: b.write,
    payload: { id },
  });

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

const mailsTo = (to: string, subject: RegExp) =>
  mail.emails().filter((m) => m.to === to && subject.test(m.subject));

async function userRow(id: string) {
  const { rows } = await admin.client.query<{
    email: string;
    display_name: string;
    language: string | null;
  }>('select email, display_name, language from wardroom.users where id = $1', [id]);
  return rows[0];
}

describe('Delete my account refuses', () => {
  it('without a session (401), and without the CSRF header (403)', async () => {
    const anon = await t.app.inject({
      method: 'POST',
      url: '/api/v1/account/delete',
      payload: { confirm_email: 'x@example.test' },
    });
    expect(anon.statusCode).toBe(401);
    const email = fresh();
    await invite(ws, email);
    const b = await signIn(t, email);
    const noCsrf = await t.app.inject({
      method: 'POST',
      url: '/api/v1/account/delete',
      headers: { cookie: b.cookie, origin: b.write['origin']! },
      payload: { confirm_email: email },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect((await userRow(b.userId))?.email).toBe(email);
    expect((await status(b)).deletion).toBeNull();
  });

  it('with another email typed, changing nothing', async () => {
    const email = fresh();
    await invite(ws, email);
    const b = await signIn(t, email);
    const res = await deleteAccount(b, 'someone-else@example.test');
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('confirmation_mismatch');
    expect((await userRow(b.userId))?.email).toBe(email);
    expect((await me(b)).statusCode).toBe(200);
    expect((await status(b)).deletion).toBeNull();
  });

  it('when the sign-in is older than ten minutes (reauthentication_required)', async () => {
    const email = fresh();
    await invite(ws, email);
    const b = await signIn(t, email);
    await admin.client.query(
      `update wardroom.sessions set created_at = now() - interval '11 minutes' where user_id = $1`,
      [b.userId],
    );
    const res = await deleteAccount(b, email);
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('reauthentication_required');
    expect((await userRow(b.userId))?.email).toBe(email);
    expect((await status(b)).deletion).toBeNull();
  });

  it('for the last owner of a workspace (last_owner), but not once another owner exists', async () => {
    const email = fresh();
    await invite(ws, email, 'owner');
    const solo = await newWorkspaceOwnedBy(email);
    const b = await signIn(t, email);
    const res = await deleteAccount(b, email);
    expect(res.statusCode).toBe(409);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('last_owner');
    expect((await userRow(b.userId))?.email).toBe(email);

    // Another owner in that workspace lifts the refusal.
    const invited = await t.app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${solo}/members`,
      headers: b.write,
      payload: { email: fresh(), role: 'owner' },
    });
    expect(invited.statusCode, invited.body).toBe(201);
    const done = await deleteAccount(b, email);
    expect(done.statusCode, done.body).toBe(202);
    expect(done.json<{ deletion: DeletionBody }>().deletion.state).toBe('pending');
    // Scheduled, not run: the person is still there.
    expect((await userRow(b.userId))?.email).toBe(email);
    const again = await deleteAccount(b, email);
    expect(again.statusCode).toBe(409);
    expect(again.json<{ error: { code: string } }>().error.code).toBe('deletion_already_scheduled');
  });

  it('cancelling another person’s deletion: 404, and theirs stays pending', async () => {
    const victim = fresh();
    const intruder = fresh();
    await invite(ws, victim);
    await invite(ws, intruder);
    const v = await signIn(t, victim);
    const i = await signIn(t, intruder);
    const scheduled = await deleteAccount(v, victim);
    expect(scheduled.statusCode, scheduled.body).toBe(202);
    const id = scheduled.json<{ deletion: DeletionBody }>().deletion.id;
    const res = await cancel(i, id);
    expect(res.statusCode).toBe(404);
    expect((await status(v)).deletion).toMatchObject({ id, state: 'pending' });
    // Nor can they schedule it: the typed email must be the caller's own.
    const forged = await deleteAccount(i, victim);
    expect(forged.json<{ error: { code: string } }>().error.code).toBe('confirmation_mismatch');
    expect((await status(i)).deletion).toBeNull();
  });
});

/** A workspace created by `email` through the route, so they are its only owner. */
async function newWorkspaceOwnedBy(email: string): Promise<string> {
  const b = await signIn(t, email);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/workspaces',
    headers: b.write,
    payload: { name: 'Mine alone', region: 'eu' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ workspace_id: string }>().workspace_id;
}

describe('Delete my account', () => {
  it('pseudonymises the person everywhere and ends every session and token', async () => {
    const email = fresh();
    const local = email.split('@')[0]!;
    await invite(ws, email);
    await invite(other, email, 'admin');
    const b = await signIn(t, email);
    const second = await signIn(t, email);
    const token = await ownToken(ws, b);
    const otherToken = await ownToken(other, b);
    await admin.client.query(`update wardroom.users set language = 'fr' where id = $1`, [b.userId]);

    now = new Date('2027-06-01T09:00:00Z');
    const before = await status(b);
    expect(before).toMatchObject({ deletion: null, cooling_off_days: 7 });
    expect(before.access_export.exists).toBe(false);

    // Scheduled (typed in capitals: the comparison ignores case), then cancelled, then again.
    const first = await deleteAccount(b, email.toUpperCase());
    expect(first.statusCode, first.body).toBe(202);
    const pending = first.json<{ deletion: DeletionBody }>().deletion;
    expect(pending).toMatchObject({
      state: 'pending',
      origin: 'account',
      requested_at: now.toISOString(),
      runs_after: new Date(now.getTime() + 7 * DAY).toISOString(),
    });
    expect(mailsTo(email, /will be deleted/)).toHaveLength(1);
    const cancelled = await cancel(b, pending.id);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json<{ deletion: DeletionBody }>().deletion.state).toBe('cancelled');
    expect(mailsTo(email, /was cancelled/)).toHaveLength(1);
    expect((await cancel(b, pending.id)).json<{ error: { code: string } }>().error.code).toBe(
      'deletion_not_pending',
    );
    now = new Date(now.getTime() + DAY);
    const res = await deleteAccount(b, email);
    expect(res.statusCode, res.body).toBe(202);
    const scheduled = res.json<{ deletion: DeletionBody }>().deletion;

    // The cooling-off: the account works, and a sweep a minute early does nothing.
    now = new Date(new Date(scheduled.runs_after).getTime() - 60_000);
    expect(await sweep([b.userId])).toEqual({ claimed: 0, completed: 0, receipts: 0 });
    expect((await me(b)).statusCode).toBe(200);
    expect((await userRow(b.userId))?.email).toBe(email);

    // Past it: two sweeps at once run it once and send one receipt.
    now = new Date(new Date(scheduled.runs_after).getTime() + 60_000);
    const [one, two] = await Promise.all([sweep([b.userId]), sweep([b.userId])]);
    expect(one.claimed + two.claimed).toBe(1);
    expect(one.receipts + two.receipts).toBe(1);
    expect(await sweep([b.userId])).toEqual({ claimed: 0, completed: 0, receipts: 0 });
    expect(mailsTo(email, /was deleted/)).toHaveLength(1);
    const { rows: after } = await admin.client.query<{ state: string; receipt_to: Buffer | null }>(
      'select state, receipt_to from wardroom.scheduled_deletions where id = $1',
      [scheduled.id],
    );
    expect(after).toEqual([{ state: 'completed', receipt_to: null }]);

    const row = await userRow(b.userId);
    expect(row?.email).toMatch(
      /^deleted-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@deleted\.invalid$/,
    );
    expect(row?.email).not.toContain(b.userId);
    expect(row?.display_name).toBe('Deleted User');
    expect(row?.language).toBeNull();

    // Sessions (both) and tokens (both workspaces) are refused.
    expect((await me(b)).statusCode).toBe(401);
    expect((await me(second)).statusCode).toBe(401);
    for (const [w, tok] of [
      [ws, token],
      [other, otherToken],
    ] as const) {
      const r = await t.app.inject({
        method: 'GET',
        url: `/api/v1/workspaces/${w.id}/workrooms`,
        headers: bearer(tok),
      });
      expect(r.statusCode).toBe(401);
    }

    // The old email cannot sign in: no code is sent for it.
    const start = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email/start',
      payload: { email },
    });
    expect(start.statusCode).toBe(202);
    const verify = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email/verify',
      payload: { email, code: '000000' },
    });
    expect(verify.statusCode).toBe(401);

    // Profiles read "Deleted User" in every workspace.
    for (const w of [ws, other]) {
      const m = await t.app.inject({
        method: 'GET',
        url: `/api/v1/workspaces/${w.id}/members`,
        headers: bearer(w.ownerToken),
      });
      expect(m.statusCode, m.body).toBe(200);
      const items = m.json<{ items: { user_id: string; display_name: string }[] }>().items;
      expect(items.find((i) => i.user_id === b.userId)).toMatchObject({
        display_name: 'Deleted User',
      });
      expect(m.body).not.toContain(local);
    }

    // Every step of the deletion is in both workspaces' audit logs.
    const { rows: steps } = await admin.client.query<{ tenant_id: string; action: string }>(
      `select tenant_id, action from wardroom.audit_log
        where action like 'privacy.deletion.%' and targets @> $1::jsonb order by id`,
      [JSON.stringify([{ type: 'user', id: b.userId }])],
    );
    for (const w of [ws, other]) {
      expect(steps.filter((e) => e.tenant_id === w.id).map((e) => e.action)).toEqual([
        'privacy.deletion.scheduled',
        'privacy.deletion.cancelled',
        'privacy.deletion.scheduled',
        'privacy.deletion.started',
        'privacy.deletion.completed',
      ]);
    }

    // Audit: one event per workspace, naming the user by id, no old email or name.
    const { rows: events } = await admin.client.query<{ tenant_id: string; row: string }>(
      `select tenant_id, row_to_json(a)::text as row from wardroom.audit_log a
        where action = 'user.pseudonymised' and targets @> $1::jsonb`,
      [JSON.stringify([{ type: 'user', id: b.userId }])],
    );
    expect(events.map((e) => e.tenant_id).sort()).toEqual([ws.id, other.id].sort());
    for (const e of events) {
      expect(e.row).not.toContain(local);
      expect(e.row).not.toContain('Ada Leaver');
    }

    // No table holds the old address in clear.
    const stdout = await dumpRows(inject('adminUrl'));
    expect(stdout.length).toBeGreaterThan(1000);
    expect(stdout).not.toContain(local);

    // The audit chain still verifies.
    await t.db.withSystem('test: chain', (tx) => tx.call('audit_seal_pending', 10_000));
    for (const w of [ws, other]) {
      const result = await verifyWorkspace(t.db, w.id, {
        checkpointDir: await mkdtemp(path.join(tmpdir(), 'wardroom-verify-')),
        publicKey: signer.publicKey,
      });
      expect(result.ok, JSON.stringify(result)).toBe(true);
    }
  });
});

describe('pseudonymiseUser', () => {
  it('acts for the system (a deletion request), ends API tokens, and is idempotent', async () => {
    const { token, userId } = await memberToken(t, ws, 'member');
    const deps = { db: t.db, keyring: t.keyring };
    const actor = (id: string) => systemPrincipal(id, 'privacy: deletion request');
    const first = await pseudonymiseUser(deps, userId, actor, 'deletion_request');
    expect(first).toMatchObject({ workspaces: [ws.id], revokedTokens: 1, revokedSessions: 0 });
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/v1/workspaces/${ws.id}/workrooms`,
      headers: bearer(token),
    });
    expect(r.statusCode).toBe(401);
    const again = await pseudonymiseUser(deps, userId, actor, 'deletion_request');
    expect(again).toMatchObject({ revokedTokens: 0, revokedSessions: 0 });
    expect((await userRow(userId))?.display_name).toBe('Deleted User');
    const { rows } = await admin.client.query<{ actor_type: string; metadata: unknown }>(
      `select actor_type, metadata from wardroom.audit_log
        where tenant_id = $1 and action = 'user.pseudonymised' and targets @> $2::jsonb
        order by id`,
      [ws.id, JSON.stringify([{ type: 'user', id: userId }])],
    );
    expect(rows).toEqual([
      { actor_type: 'system', metadata: { reason: 'deletion_request', revoked_tokens: 1 } },
      { actor_type: 'system', metadata: { reason: 'deletion_request', revoked_tokens: 0 } },
    ]);
  });

  it('answers null for an unknown user and changes nothing', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const done = await pseudonymiseUser(
      { db: t.db, keyring: t.keyring },
      unknown,
      (id) => systemPrincipal(id, 'test'),
      'deletion_request',
    );
    expect(done).toBeNull();
  });
});
