/**
 * OIDC sign-in against a real OpenID provider (oidc-provider, in process):
 * the happy path makes a session like the email-code one; every attack is
 * refused with its own code and leaves no session and no membership (wrong
 * issuer, audience, expiry, nonce, signature; a replayed code or callback;
 * a swapped state; an email outside the allowed domains or unverified; a
 * person who is not a member, unless the connection adds members just in
 * time).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectAdmin, type Admin } from '../support/admin.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { pseudonymiseUser } from '../../src/modules/privacy/index.js';
import { startIdp, type TestIdp } from './oidc-idp.js';
import { addConnection, CALLBACK, cookies, footprint, fresh, invite } from './support.js';

let t: TestApp;
let admin: Admin;
let idp: TestIdp;
let ws: TestWorkspace;
let connectionId: string;

beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  idp = await startIdp([CALLBACK]);
  ws = await newWorkspace(t);
  connectionId = await addConnection(t, ws, {
    kind: 'oidc',
    name: 'Test IdP',
    issuer: idp.issuer,
    client_id: idp.clientId,
    client_secret: idp.clientSecret,
    allowed_domains: ['acme.test'],
  });
});
afterAll(async () => {
  await idp.close();
  await admin.close();
  await t.close();
});
beforeEach(() => {
  idp.tamper = undefined;
  idp.foreignKey = false;
});

/** An IdP account that is (or is not) a member of `ws`. */
async function person(options: { member?: boolean; domain?: string; verified?: boolean } = {}) {
  const email = fresh(options.domain ?? 'acme.test');
  idp.accounts.set(email, { email, email_verified: options.verified ?? true });
  idp.nextLogin = email;
  const userId = options.member === false ? undefined : await invite(t, ws, email);
  return { email, userId };
}

/** Start at Wardroom, sign in at the IdP; the callback URL and the flow cookie. */
async function startAndAuthorize(query = `workspace=${ws.id}`) {
  const start = await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/start?${query}` });
  expect(start.statusCode, start.body).toBe(302);
  const flowCookie = [...cookies(start.headers['set-cookie'])]
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  const callback = await idp.authorize(String(start.headers.location));
  return { callback, flowCookie, location: new URL(String(start.headers.location)) };
}

function callback(url: URL, cookie: string, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'GET',
    url: `${url.pathname}${url.search}`,
    headers: { cookie, ...headers },
  });
}

async function expectRefused(run: () => Promise<{ body: string }>, code: string) {
  const before = await footprint(admin, ws.id);
  const res = await run();
  expect((JSON.parse(res.body) as { error: { code: string } }).error.code).toBe(code);
  expect(await footprint(admin, ws.id)).toEqual(before);
}

describe('OIDC sign-in', () => {
  it('sends the browser to the IdP with PKCE S256, state and nonce', async () => {
    const start = await t.app.inject({
      method: 'GET',
      url: `/api/v1/auth/sso/start?workspace=${ws.id}`,
    });
    const to = new URL(String(start.headers.location));
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(to.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(to.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(to.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(start.headers['set-cookie']).toMatch(
      /^wardroom_sso_flow=[\w-]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/,
    );
  });

  it('signs a member in: session cookie, CSRF token, recorded as SSO through this connection', async () => {
    const me = await person();
    const { callback: url, flowCookie } = await startAndAuthorize();
    const res = await callback(url, flowCookie);
    expect(res.statusCode, res.body).toBe(302);
    expect(res.headers.location).toBe('/app/workspaces');
    const jar = cookies(res.headers['set-cookie']);
    expect(jar.get('wardroom_sso_flow')).toBe('');
    const session = jar.get('wardroom_session');
    expect(session).toMatch(/^[\w-]{43}$/);
    const who = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: `wardroom_session=${session ?? ''}` },
    });
    expect(who.statusCode).toBe(200);
    expect(who.json()).toMatchObject({ user: { id: me.userId, email: me.email } });
    const mine = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me/sessions',
      headers: { cookie: `wardroom_session=${session ?? ''}` },
    });
    expect(mine.json()).toMatchObject({
      items: [{ current: true, auth_method: 'sso', sso_workspace_id: ws.id }],
    });
    const { rows } = await admin.client.query(
      `select auth_method, sso_tenant_id, sso_connection_id from wardroom.sessions
        where user_id = $1`,
      [me.userId],
    );
    expect(rows).toEqual([
      { auth_method: 'sso', sso_tenant_id: ws.id, sso_connection_id: connectionId },
    ]);
    const events = await admin.client.query(
      `select action, actor_type, actor_id, metadata->>'method' as method from wardroom.audit_log
        where tenant_id = $1 and action = 'auth.sign_in.succeeded' and actor_id = $2`,
      [ws.id, me.userId],
    );
    expect(events.rows).toEqual([
      { action: 'auth.sign_in.succeeded', actor_type: 'user', actor_id: me.userId, method: 'sso' },
    ]);
  });

  it('finds the connection from a work email, and passes it as login_hint', async () => {
    const me = await person();
    const {
      callback: url,
      flowCookie,
      location,
    } = await startAndAuthorize(`email=${encodeURIComponent(me.email)}`);
    expect(location.searchParams.get('login_hint')).toBe(me.email);
    expect((await callback(url, flowCookie)).statusCode).toBe(302);
  });

  it('refuses an email domain no connection allows (sso_not_configured) without starting', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/auth/sso/start?email=${encodeURIComponent('a@elsewhere.test')}`,
    });
    expect(res.json<{ error: { code: string } }>().error.code).toBe('sso_not_configured');
  });

  it('sends a browser that meets an error to the sign-in page with the code', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/auth/sso/oidc/callback?state=forged&code=x`,
      headers: { accept: 'text/html', cookie: 'wardroom_sso_flow=forged' },
    });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/?error=sso_state_invalid');
  });

  it('joins a non-member just in time with the default role, only when the connection allows', async () => {
    const me = await person({ member: false });
    const { callback: refusedUrl, flowCookie: refusedCookie } = await startAndAuthorize();
    await expectRefused(() => callback(refusedUrl, refusedCookie), 'sso_no_membership');

    const jitWs = await newWorkspace(t);
    await addConnection(t, jitWs, {
      kind: 'oidc',
      name: 'JIT',
      issuer: idp.issuer,
      client_id: idp.clientId,
      client_secret: idp.clientSecret,
      allowed_domains: ['jit.test'],
      jit_role: 'viewer',
    });
    const email = fresh('jit.test');
    idp.accounts.set(email, { email, email_verified: true });
    idp.nextLogin = email;
    const { callback: url, flowCookie } = await startAndAuthorize(`workspace=${jitWs.id}`);
    expect((await callback(url, flowCookie)).statusCode).toBe(302);
    const { rows } = await admin.client.query(
      `select m.role from wardroom.memberships m join wardroom.users u on u.id = m.user_id
        where m.tenant_id = $1 and u.email = $2`,
      [jitWs.id, email],
    );
    expect(rows).toEqual([{ role: 'viewer' }]);
    expect(me.userId).toBeUndefined();
  });
});

describe('OIDC after the person was deleted', () => {
  it('does not reach the pseudonymised account: the old email is no member any more', async () => {
    const me = await person();
    const deleted = await pseudonymiseUser(
      { db: t.db, keyring: t.keyring },
      me.userId!,
      (id) => systemPrincipal(id, 'privacy: deletion request'),
      'deletion_request',
    );
    expect(deleted?.workspaces).toEqual([ws.id]);
    // The IdP still vouches for the old address; without just-in-time
    // membership, the workspace has no member with it.
    idp.nextLogin = me.email;
    const { callback: url, flowCookie } = await startAndAuthorize();
    await expectRefused(() => callback(url, flowCookie), 'sso_no_membership');
    const { rows } = await admin.client.query<{ email: string }>(
      'select email from wardroom.users where id = $1',
      [me.userId],
    );
    expect(rows[0]?.email).toMatch(/^deleted-[0-9a-f-]{36}@deleted\.invalid$/);
    const sessions = await admin.client.query(
      'select 1 from wardroom.sessions where user_id = $1',
      [me.userId],
    );
    expect(sessions.rowCount).toBe(0);
  });

  it('with just-in-time membership, makes a new person, never the deleted one', async () => {
    const jitWs = await newWorkspace(t);
    await addConnection(t, jitWs, {
      kind: 'oidc',
      name: 'JIT again',
      issuer: idp.issuer,
      client_id: idp.clientId,
      client_secret: idp.clientSecret,
      allowed_domains: ['back.test'],
      jit_role: 'viewer',
    });
    const email = fresh('back.test');
    idp.accounts.set(email, { email, email_verified: true });
    const userId = await invite(t, jitWs, email);
    await pseudonymiseUser(
      { db: t.db, keyring: t.keyring },
      userId,
      (id) => systemPrincipal(id, 'privacy: deletion request'),
      'deletion_request',
    );
    idp.nextLogin = email;
    const { callback: url, flowCookie } = await startAndAuthorize(`workspace=${jitWs.id}`);
    const res = await callback(url, flowCookie);
    expect(res.statusCode, res.body).toBe(302);
    const session = cookies(res.headers['set-cookie']).get('wardroom_session') ?? '';
    const who = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: `wardroom_session=${session}` },
    });
    const back = who.json<{ user: { id: string; email: string } }>().user;
    expect(back.email).toBe(email);
    expect(back.id).not.toBe(userId);
    const { rows } = await admin.client.query<{ display_name: string; role: string }>(
      `select u.display_name, m.role from wardroom.memberships m
         join wardroom.users u on u.id = m.user_id where m.tenant_id = $1 and m.user_id = $2`,
      [jitWs.id, userId],
    );
    expect(rows).toEqual([{ display_name: 'Deleted User', role: 'member' }]);
  });
});

describe('OIDC attacks, each refused with nothing changed', () => {
  const tampered: [string, (c: Record<string, unknown>) => Record<string, unknown>][] = [
    ['a wrong issuer', (c) => ({ ...c, iss: 'https://evil.example' })],
    ['a wrong audience', (c) => ({ ...c, aud: 'someone-else' })],
    ['an expired token', (c) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['a wrong nonce', (c) => ({ ...c, nonce: 'not-the-one-we-sent' })],
  ];
  it('accepts a token re-signed by the IdP with its claims unchanged (so the hook is sound)', async () => {
    await person();
    idp.tamper = (c) => c;
    const { callback: url, flowCookie } = await startAndAuthorize();
    expect((await callback(url, flowCookie)).statusCode).toBe(302);
  });

  for (const [what, change] of tampered) {
    it(`refuses an ID token with ${what} (sso_token_invalid)`, async () => {
      await person();
      idp.tamper = change;
      const { callback: url, flowCookie } = await startAndAuthorize();
      await expectRefused(() => callback(url, flowCookie), 'sso_token_invalid');
    });
  }

  it('refuses an ID token signed with a key the issuer does not publish (bad signature)', async () => {
    await person();
    idp.tamper = (c) => c;
    idp.foreignKey = true;
    const { callback: url, flowCookie } = await startAndAuthorize();
    await expectRefused(() => callback(url, flowCookie), 'sso_token_invalid');
  });

  it('takes a callback once: the same callback again is sso_state_invalid', async () => {
    await person();
    const { callback: url, flowCookie } = await startAndAuthorize();
    expect((await callback(url, flowCookie)).statusCode).toBe(302);
    await expectRefused(() => callback(url, flowCookie), 'sso_state_invalid');
  });

  it('refuses a used authorization code under a new flow (sso_token_invalid)', async () => {
    await person();
    const first = await startAndAuthorize();
    expect((await callback(first.callback, first.flowCookie)).statusCode).toBe(302);
    const second = await startAndAuthorize();
    const replay = new URL(second.callback);
    replay.searchParams.set('code', first.callback.searchParams.get('code') ?? '');
    await expectRefused(() => callback(replay, second.flowCookie), 'sso_token_invalid');
  });

  it('refuses a swapped state: the browser holds another flow, or none', async () => {
    await person();
    const victim = await startAndAuthorize();
    const attacker = await startAndAuthorize();
    // The attacker's callback URL in the victim's browser.
    await expectRefused(() => callback(attacker.callback, victim.flowCookie), 'sso_state_invalid');
    await expectRefused(() => callback(attacker.callback, ''), 'sso_state_invalid');
    // The victim's own flow still works.
    expect((await callback(victim.callback, victim.flowCookie)).statusCode).toBe(302);
  });

  it('passes on an error the IdP answered (sso_idp_error), echoing no free text', async () => {
    await person();
    const { callback: url, flowCookie } = await startAndAuthorize();
    const denied = new URL(url);
    denied.searchParams.delete('code');
    denied.searchParams.set('error', 'access_denied <script>');
    denied.searchParams.set('iss', idp.issuer);
    const before = await footprint(admin, ws.id);
    const res = await callback(denied, flowCookie);
    expect(res.json()).toEqual({
      error: { code: 'sso_idp_error', message: 'The identity provider answered: error' },
    });
    expect(await footprint(admin, ws.id)).toEqual(before);
  });

  it('refuses an email outside the allowed domains (sso_domain_not_allowed)', async () => {
    const email = fresh('elsewhere.test');
    await invite(t, ws, email);
    idp.accounts.set(email, { email, email_verified: true });
    idp.nextLogin = email;
    const { callback: url, flowCookie } = await startAndAuthorize();
    await expectRefused(() => callback(url, flowCookie), 'sso_domain_not_allowed');
  });

  it('refuses an unverified email (sso_email_unverified)', async () => {
    await person({ verified: false });
    const { callback: url, flowCookie } = await startAndAuthorize();
    await expectRefused(() => callback(url, flowCookie), 'sso_email_unverified');
  });

  it('records each refusal in the workspace as auth.sign_in.failed with its code', async () => {
    const { rows } = await admin.client.query<{ reason: string }>(
      `select distinct metadata->>'reason' as reason from wardroom.audit_log
        where tenant_id = $1 and action = 'auth.sign_in.failed' order by 1`,
      [ws.id],
    );
    expect(rows.map((r) => r.reason)).toEqual(
      expect.arrayContaining([
        'sso_domain_not_allowed',
        'sso_email_unverified',
        'sso_token_invalid',
      ]),
    );
  });
});
