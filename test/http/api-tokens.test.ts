/**
 * A person's own API tokens over HTTP, attacked: created only from a
 * signed-in session (a bearer token cannot mint its successor), the secret
 * shown once and never in a list or an audit row, revoked by its owner
 * only (another member's or another workspace's token id is `not_found`
 * and changes nothing), expired tokens answer `token_expired` (set in the
 * database as the admin role: no sleeping), and bad input changes nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  bearer,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call, expectError } from '../support/http.js';
import { signIn, type Browser } from '../support/sign-in.js';
import { parseToken } from '../../src/modules/tenancy/token-format.js';

const tokenView = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime().nullable(),
  revoked_at: z.iso.datetime().nullable(),
  last_four: z.string().length(4).nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
  current: z.boolean(),
});
const created = tokenView.extend({ token: z.string().startsWith('wr_') });
const list = z.strictObject({ items: z.array(tokenView) });

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

const tokensUrl = (w: TestWorkspace, id?: string) =>
  `/api/v1/workspaces/${w.id}/tokens${id === undefined ? '' : `/${id}`}`;
const roomsUrl = (w: TestWorkspace) => `/api/v1/workspaces/${w.id}/workrooms`;

/** A member of `into` with `role`, invited by its owner, then signed in. */
async function person(role: string, into: TestWorkspace = ws): Promise<Browser> {
  const email = `${role}-${randomBytes(6).toString('hex')}@example.test`;
  const res = await call(t, 'POST', `/api/v1/workspaces/${into.id}/members`, {
    token: into.ownerToken,
    payload: { email, role },
  });
  expect(res.statusCode, res.body).toBe(201);
  return signIn(t, email);
}

async function create(
  who: Browser,
  payload: object,
  into: TestWorkspace = ws,
): Promise<z.infer<typeof created>> {
  const res = await call(t, 'POST', tokensUrl(into), { headers: who.write, payload });
  expect(res.statusCode, res.body).toBe(201);
  return created.parse(res.json());
}

async function listed(headers: Record<string, string>, into: TestWorkspace = ws) {
  const res = await call(t, 'GET', tokensUrl(into), { headers });
  expect(res.statusCode, res.body).toBe(200);
  return { items: list.parse(res.json()).items, body: res.body };
}

const tokenRows = async (tenantId: string) =>
  (
    await admin.client.query<{ row: string }>(
      'select t::text as row from wardroom.api_tokens t where tenant_id = $1 order by id',
      [tenantId],
    )
  ).rows.map((r) => r.row);

describe('creating, listing and revoking my tokens', () => {
  it('shows the secret once, lists it without it, and revokes it', async () => {
    const me = await person('member');
    const made = await create(me, { name: 'laptop', expires_in_days: 30 });
    expect(made).toMatchObject({ name: 'laptop', status: 'active', revoked_at: null });
    expect(made.last_four).toBe(made.token.slice(-4));
    const days = (Date.parse(made.expires_at ?? '') - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    expect((await call(t, 'GET', roomsUrl(ws), { token: made.token })).statusCode).toBe(200);
    const secretHex = parseToken(made.token)?.secret.toString('hex') ?? 'x';
    const viaSession = await listed({ cookie: me.cookie });
    expect(viaSession.items.map((i) => i.id)).toEqual([made.id]);
    expect(viaSession.items[0]).toMatchObject({ current: false, status: 'active' });
    expect(viaSession.body).not.toContain(made.token);
    expect(viaSession.body).not.toContain(secretHex);
    const viaToken = await listed(bearer(made.token));
    expect(viaToken.items[0]?.current).toBe(true);
    expect(viaToken.body).not.toContain(made.token);

    const revoked = await call(t, 'DELETE', tokensUrl(ws, made.id), { headers: me.write });
    expect(revoked.statusCode, revoked.body).toBe(204);
    expectError(await call(t, 'GET', roomsUrl(ws), { token: made.token }), 401, 'unauthenticated');
    expect((await listed({ cookie: me.cookie })).items[0]).toMatchObject({
      id: made.id,
      status: 'revoked',
    });
    expectError(
      await call(t, 'DELETE', tokensUrl(ws, made.id), { headers: me.write }),
      404,
      'not_found',
    );
  });

  it('makes a token without expiry when none is asked for, and lets a token revoke itself', async () => {
    const me = await person('member');
    const made = await create(me, { name: 'ci' });
    expect(made.expires_at).toBeNull();
    const res = await call(t, 'DELETE', tokensUrl(ws, made.id), { token: made.token });
    expect(res.statusCode, res.body).toBe(204);
    expectError(await call(t, 'GET', roomsUrl(ws), { token: made.token }), 401, 'unauthenticated');
  });

  it('refuses a bearer token that tries to mint a token: session_required, nothing made', async () => {
    const me = await person('owner');
    const made = await create(me, { name: 'parent' });
    const before = await tokenRows(ws.id);
    for (const token of [made.token, ws.ownerToken]) {
      expectError(
        await call(t, 'POST', tokensUrl(ws), { token, payload: { name: 'child' } }),
        403,
        'session_required',
      );
    }
    expect(await tokenRows(ws.id)).toEqual(before);
  });
});

describe('expiry', () => {
  it('answers 401 token_expired once expires_at has passed, and lists it as expired', async () => {
    const me = await person('viewer');
    const made = await create(me, { name: 'short', expires_in_days: 1 });
    expect((await call(t, 'GET', roomsUrl(ws), { token: made.token })).statusCode).toBe(200);
    await admin.client.query(
      `update wardroom.api_tokens set expires_at = now() - interval '1 second'
        where tenant_id = $1 and id = $2`,
      [ws.id, made.id],
    );
    expectError(await call(t, 'GET', roomsUrl(ws), { token: made.token }), 401, 'token_expired');
    expectError(await call(t, 'GET', tokensUrl(ws), { token: made.token }), 401, 'token_expired');
    expect((await listed({ cookie: me.cookie })).items[0]).toMatchObject({ status: 'expired' });
    // Only the secret's holder learns that it expired: a forged secret for the same row is 401 unauthenticated.
    const body = Buffer.from(made.token.slice(3), 'base64url');
    randomBytes(32).copy(body, 32);
    const forged = `wr_${body.toString('base64url')}`;
    expectError(await call(t, 'GET', roomsUrl(ws), { token: forged }), 401, 'unauthenticated');
  });
});

describe('only my own tokens', () => {
  it("answers not_found for another member's token id, to any role, and changes nothing", async () => {
    const viewer = await person('viewer');
    const owner = await person('owner');
    const adminPerson = await person('admin');
    const viewers = await create(viewer, { name: 'viewer token' });
    const owners = await create(owner, { name: 'owner token' });
    const before = await tokenRows(ws.id);
    for (const [who, id] of [
      [owner, viewers.id],
      [adminPerson, viewers.id],
      [viewer, owners.id],
    ] as const) {
      expectError(
        await call(t, 'DELETE', tokensUrl(ws, id), { headers: who.write }),
        404,
        'not_found',
      );
    }
    expectError(
      await call(t, 'DELETE', tokensUrl(ws, viewers.id), { token: owners.token }),
      404,
      'not_found',
    );
    expect(await tokenRows(ws.id)).toEqual(before);
    expect((await listed({ cookie: viewer.cookie })).items.map((i) => i.id)).toEqual([viewers.id]);
    expect((await listed({ cookie: owner.cookie })).items.map((i) => i.id)).toEqual([owners.id]);
    expect((await call(t, 'GET', roomsUrl(ws), { token: viewers.token })).statusCode).toBe(200);
  });

  it("answers not_found for another workspace's token id, and changes nothing", async () => {
    const me = await person('owner');
    const theirs = await create(await person('owner', other), { name: 'theirs' }, other);
    const before = await tokenRows(other.id);
    expectError(
      await call(t, 'DELETE', tokensUrl(ws, theirs.id), { headers: me.write }),
      404,
      'not_found',
    );
    // The other workspace's path with my session: I am no member there.
    expectError(
      await call(t, 'DELETE', tokensUrl(other, theirs.id), { headers: me.write }),
      404,
      'not_found',
    );
    expectError(await call(t, 'GET', tokensUrl(other), { headers: me.write }), 404, 'not_found');
    expectError(
      await call(t, 'POST', tokensUrl(other), { headers: me.write, payload: { name: 'x' } }),
      404,
      'not_found',
    );
    expect(await tokenRows(other.id)).toEqual(before);
    expect((await call(t, 'GET', roomsUrl(other), { token: theirs.token })).statusCode).toBe(200);
  });

  it('lets a viewer create, list and revoke their own tokens', async () => {
    const viewer = await person('viewer');
    const a = await create(viewer, { name: 'a', expires_in_days: 7 });
    const b = await create(viewer, { name: 'b', expires_in_days: 365 });
    expect((await listed({ cookie: viewer.cookie })).items.map((i) => i.id)).toEqual([b.id, a.id]);
    const res = await call(t, 'DELETE', tokensUrl(ws, a.id), { headers: viewer.write });
    expect(res.statusCode, res.body).toBe(204);
    expect((await call(t, 'GET', roomsUrl(ws), { token: b.token })).statusCode).toBe(200);
  });
});

describe('limits', () => {
  it('refuses a 51st live token with too_many_tokens, and counts revoked and expired ones out', async () => {
    const me = await person('member');
    await admin.client.query(
      `insert into wardroom.api_tokens (tenant_id, id, user_id, name, secret_hash, expires_at)
       select $1, gen_random_uuid(), $2, 'bulk ' || n, sha256(convert_to(gen_random_uuid()::text, 'UTF8')),
              case when n = 1 then now() - interval '1 day' end
         from generate_series(1, 50) n`,
      [ws.id, me.userId],
    );
    // 49 live and 1 expired: one more fits, then the 51st live one does not.
    const last = await create(me, { name: 'fiftieth' });
    const before = await tokenRows(ws.id);
    expectError(
      await call(t, 'POST', tokensUrl(ws), { headers: me.write, payload: { name: 'too many' } }),
      409,
      'too_many_tokens',
    );
    expect(await tokenRows(ws.id)).toEqual(before);
    expect(
      (await call(t, 'DELETE', tokensUrl(ws, last.id), { headers: me.write })).statusCode,
    ).toBe(204);
    await create(me, { name: 'fits again' });
  });
});

describe('audit', () => {
  it('records creation and revocation, by the person, with no secret in any row', async () => {
    const me = await person('member');
    const made = await create(me, { name: 'audited', expires_in_days: 90 });
    await call(t, 'DELETE', tokensUrl(ws, made.id), { headers: me.write });
    const { rows } = await admin.client.query<{
      action: string;
      actor_type: string;
      actor_id: string;
      metadata: unknown;
      row: string;
    }>(
      `select action, actor_type, actor_id, metadata, a::text as row from wardroom.audit_log a
        where tenant_id = $1 and targets @> $2::jsonb order by id`,
      [ws.id, JSON.stringify([{ type: 'api_token', id: made.id }])],
    );
    expect(rows.map((r) => [r.action, r.actor_type, r.actor_id])).toEqual([
      ['api_token.created', 'user', me.userId],
      ['api_token.updated', 'user', me.userId],
    ]);
    expect(rows[1]?.metadata).toEqual({ changed: ['revoked_at'] });
    const secret = parseToken(made.token)?.secret ?? Buffer.alloc(0);
    const hash = (
      await admin.client.query<{ h: string }>(
        "select encode(secret_hash, 'hex') as h from wardroom.api_tokens where id = $1",
        [made.id],
      )
    ).rows[0]?.h;
    for (const r of rows) {
      expect(r.row).not.toContain(made.token.slice(3));
      expect(r.row).not.toContain(secret.toString('hex'));
      expect(r.row).not.toContain(secret.toString('base64url'));
      expect(r.row).not.toContain(hash ?? 'no hash');
    }
  });
});

describe('bad input', () => {
  it('answers validation_failed and makes or changes nothing', async () => {
    const me = await person('member');
    const mine = await create(me, { name: 'keep' });
    const before = await tokenRows(ws.id);
    const bodies: unknown[] = [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(201) },
      { name: 'nul\u0000' },
      { name: 'n', expires_in_days: 0 },
      { name: 'n', expires_in_days: 366 },
      { name: 'n', expires_in_days: 1.5 },
      { name: 'n', expires_in_days: '7' },
      { name: 'n', expires_at: new Date().toISOString() },
      { name: 'n', secret: 'mine' },
      [],
    ];
    for (const payload of bodies) {
      const res = await call(t, 'POST', tokensUrl(ws), {
        headers: { ...me.write, 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      expectError(res, 400, 'validation_failed', JSON.stringify(payload));
    }
    for (const id of ['abc', `${randomUUID()}x`, '1']) {
      expectError(
        await call(t, 'DELETE', tokensUrl(ws, id), { headers: me.write }),
        400,
        'validation_failed',
        id,
      );
    }
    expectError(
      await call(t, 'DELETE', tokensUrl(ws, randomUUID()), { headers: me.write }),
      404,
      'not_found',
    );
    expect(await tokenRows(ws.id)).toEqual(before);
    expect((await call(t, 'GET', roomsUrl(ws), { token: mine.token })).statusCode).toBe(200);
  });
});
