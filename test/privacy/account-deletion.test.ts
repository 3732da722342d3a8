/**
 * "Delete my account", attacked and checked: without a fresh sign-in, with
 * the wrong email typed, or as the last owner of a workspace, nothing
 * changes; after it, the old email cannot sign in, the person's sessions
 * and API tokens answer 401, their profiles read "Deleted User", no table
 * of a dump holds the old address, and the workspace's audit log still
 * verifies.
 */
import { dumpRows } from '../support/dump.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyWorkspace } from '../../src/modules/audit/index.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { pseudonymiseUser } from '../../src/modules/privacy/index.js';
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

beforeAll(async () => {
  t = await startTestApp();
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
    expect(done.statusCode, done.body).toBe(200);
    expect((await userRow(b.userId))?.display_name).toBe('Deleted User');
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

    const res = await deleteAccount(b, email.toUpperCase());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      deleted: true,
      workspaces: 2,
      revoked_sessions: 2,
      revoked_tokens: 2,
    });
    expect(String(res.headers['set-cookie'])).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);

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
