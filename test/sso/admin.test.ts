/**
 * The SSO admin routes and the "require SSO" policy: admins and owners
 * manage connections, nobody else does; a client secret never comes back
 * and is stored only sealed; another workspace's connection is invisible;
 * a workspace that requires SSO refuses email-code sessions of its members
 * (owners pass, audited) while POST /auth/email/start keeps answering the
 * same.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  bearer,
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { signIn } from '../support/sign-in.js';
import { startIdp, type TestIdp } from './oidc-idp.js';
import { addConnection, CALLBACK, cookies, fresh, invite } from './support.js';

let t: TestApp;
let admin: Admin;
let idp: TestIdp;
let ws: TestWorkspace;
let other: TestWorkspace;

const SECRET = 'client-secret-0123456789-WXYZ';
const oidcBody = () => ({
  kind: 'oidc',
  name: 'Okta',
  issuer: idp.issuer,
  client_id: idp.clientId,
  client_secret: idp.clientSecret,
  allowed_domains: ['Corp.Test'],
});

beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  idp = await startIdp([CALLBACK]);
  ws = await newWorkspace(t);
  other = await newWorkspace(t);
});
afterAll(async () => {
  await idp.close();
  await admin.close();
  await t.close();
});

const url = (w: TestWorkspace, rest = '') => `/api/v1/workspaces/${w.id}/sso/connections${rest}`;

describe('SSO connections (admin routes)', () => {
  it('creates an OIDC connection; the answer says the secret is set and shows its last four only', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: url(ws),
      headers: bearer(ws.ownerToken),
      payload: { ...oidcBody(), client_secret: SECRET },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain('client-secret-0123');
    expect(res.json()).toMatchObject({
      kind: 'oidc',
      allowed_domains: ['corp.test'],
      jit_role: null,
      enabled: true,
      oidc: { client_secret: { set: true, last4: 'WXYZ' } },
      saml: null,
    });
    const { rows } = await admin.client.query<{ secret: Buffer }>(
      `select oidc_client_secret as secret from wardroom.sso_connections where id = $1`,
      [res.json<{ id: string }>().id],
    );
    expect(rows[0]?.secret.toString('latin1')).not.toContain('client-secret');
    const list = await t.app.inject({
      method: 'GET',
      url: url(ws),
      headers: bearer(ws.ownerToken),
    });
    expect(list.body).not.toContain('client-secret-0123');
  });

  it('changes a connection, refuses fields of the other kind, deletes it; each audited', async () => {
    const id = await addConnection(t, ws, oidcBody());
    const patch = await t.app.inject({
      method: 'PATCH',
      url: url(ws, `/${id}`),
      headers: bearer(ws.ownerToken),
      payload: { enabled: false, client_secret: 'another-secret-value-1234' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    expect(patch.json()).toMatchObject({
      enabled: false,
      oidc: { client_secret: { last4: '1234' } },
    });
    const wrong = await t.app.inject({
      method: 'PATCH',
      url: url(ws, `/${id}`),
      headers: bearer(ws.ownerToken),
      payload: { idp_sso_url: 'https://idp.example/sso' },
    });
    expect(wrong.json<{ error: { code: string } }>().error.code).toBe('validation_failed');
    const del = await t.app.inject({
      method: 'DELETE',
      url: url(ws, `/${id}`),
      headers: bearer(ws.ownerToken),
    });
    expect(del.statusCode).toBe(204);
    const { rows } = await admin.client.query<{ action: string }>(
      `select action from wardroom.audit_log where tenant_id = $1 and targets::text like $2
        order by seq`,
      [ws.id, `%${id}%`],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'sso_connection.created',
      'sso_connection.updated',
      'sso_connection.deleted',
    ]);
  });

  it('refuses bad input with validation_failed and stores nothing', async () => {
    const bad = [
      { ...oidcBody(), issuer: 'http://idp.example.com' },
      { ...oidcBody(), allowed_domains: [] },
      { ...oidcBody(), allowed_domains: ['not a domain'] },
      { ...oidcBody(), jit_role: 'owner' },
      {
        kind: 'saml',
        name: 'x',
        idp_entity_id: 'x',
        idp_sso_url: 'https://x.test/sso',
        idp_certificates: ['not a cert'],
        allowed_domains: ['x.test'],
      },
    ];
    const before = await admin.client.query(`select count(*) from wardroom.sso_connections`);
    for (const payload of bad) {
      const res = await t.app.inject({
        method: 'POST',
        url: url(ws),
        headers: bearer(ws.ownerToken),
        payload,
      });
      expect(res.json<{ error: { code: string } }>().error.code).toBe('validation_failed');
    }
    expect(
      (await admin.client.query(`select count(*) from wardroom.sso_connections`)).rows,
    ).toEqual(before.rows);
  });

  it('lets no member or viewer near the admin routes (403)', async () => {
    const id = await addConnection(t, ws, oidcBody());
    for (const role of ['member', 'viewer'] as const) {
      const { token } = await memberToken(t, ws, role);
      const attempts = [
        { method: 'GET', url: url(ws) },
        { method: 'POST', url: url(ws), payload: oidcBody() },
        { method: 'PATCH', url: url(ws, `/${id}`), payload: { enabled: false } },
        { method: 'DELETE', url: url(ws, `/${id}`) },
        {
          method: 'PUT',
          url: `/api/v1/workspaces/${ws.id}/sso/policy`,
          payload: { require_sso: true },
        },
      ] as const;
      for (const a of attempts) {
        const res = await t.app.inject({ ...a, headers: bearer(token) });
        expect(res.statusCode, `${role} ${a.method} ${a.url}`).toBe(403);
      }
    }
    const still = await t.app.inject({
      method: 'GET',
      url: url(ws, `/${id}`),
      headers: bearer(ws.ownerToken),
    });
    expect(still.json()).toMatchObject({ enabled: true });
  });

  it("never shows or changes another workspace's connection (404), nor starts a sign-in with it", async () => {
    const theirs = await addConnection(t, other, oidcBody());
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await t.app.inject({
        method,
        url: url(ws, `/${theirs}`),
        headers: bearer(ws.ownerToken),
      });
      expect(res.statusCode).toBe(404);
    }
    const patch = await t.app.inject({
      method: 'PATCH',
      url: url(ws, `/${theirs}`),
      headers: bearer(ws.ownerToken),
      payload: { enabled: false },
    });
    expect(patch.statusCode).toBe(404);
    const start = await t.app.inject({
      method: 'GET',
      url: `/api/v1/auth/sso/start?workspace=${ws.id}&connection=${theirs}`,
    });
    expect(start.json<{ error: { code: string } }>().error.code).toBe('sso_not_configured');
    const { rows } = await admin.client.query(
      `select enabled from wardroom.sso_connections where id = $1`,
      [theirs],
    );
    expect(rows).toEqual([{ enabled: true }]);
  });
});

describe('SSO routes in the API description and the sign-in start', () => {
  it('lists every SSO route in /api/v1/openapi.json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const paths = Object.keys(res.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/sso/start',
        '/api/v1/auth/sso/oidc/callback',
        '/api/v1/auth/sso/saml/acs',
        '/api/v1/auth/sso/saml/metadata',
        '/api/v1/workspaces/{ws}/sso/connections',
        '/api/v1/workspaces/{ws}/sso/connections/{id}',
        '/api/v1/workspaces/{ws}/sso/policy',
      ]),
    );
  });

  it('counts starts against the sign-in limit per client address (429 with Retry-After)', async () => {
    const limited = await startTestApp({
      auth: { signInLimits: { perAddressPerHour: 1000, perIpPerHour: 2 } },
    });
    try {
      const start = () =>
        limited.app.inject({
          method: 'GET',
          url: `/api/v1/auth/sso/start?workspace=${randomUUID()}`,
        });
      expect((await start()).statusCode).toBe(404);
      expect((await start()).statusCode).toBe(404);
      const refused = await start();
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('starts no sign-in with a disabled connection, nor with bad input', async () => {
    const alone = await newWorkspace(t);
    const id = await addConnection(t, alone, { ...oidcBody(), allowed_domains: ['alone.test'] });
    await t.app.inject({
      method: 'PATCH',
      url: url(alone, `/${id}`),
      headers: bearer(alone.ownerToken),
      payload: { enabled: false },
    });
    const code = async (query: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/v1/auth/sso/start?${query}` })).json<{
        error: { code: string };
      }>().error.code;
    expect(await code(`workspace=${alone.id}`)).toBe('sso_not_configured');
    expect(await code('email=someone%40alone.test')).toBe('sso_not_configured');
    expect(await code('')).toBe('validation_failed');
    expect(await code(`workspace=${alone.id}&email=a%40alone.test`)).toBe('validation_failed');
    expect(await code('workspace=not-a-uuid')).toBe('validation_failed');
  });
});

describe('require SSO', () => {
  let policyWs: TestWorkspace;

  beforeAll(async () => {
    policyWs = await newWorkspace(t);
  });

  const rooms = () => `/api/v1/workspaces/${policyWs.id}/workrooms`;

  it('cannot be turned on without an enabled connection (sso_not_configured)', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/workspaces/${policyWs.id}/sso/policy`,
      headers: bearer(policyWs.ownerToken),
      payload: { require_sso: true },
    });
    expect(res.json<{ error: { code: string } }>().error.code).toBe('sso_not_configured');
  });

  it('refuses email-code sessions of members, lets SSO sessions and owners (audited) through', async () => {
    await addConnection(t, policyWs, { ...oidcBody(), allowed_domains: ['corp.test'] });
    const email = fresh('corp.test');
    await invite(t, policyWs, email);
    const emailSession = await signIn(t, email);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: rooms(),
          headers: { cookie: emailSession.cookie },
        })
      ).statusCode,
    ).toBe(200);

    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/workspaces/${policyWs.id}/sso/policy`,
      headers: bearer(policyWs.ownerToken),
      payload: { require_sso: true },
    });
    expect(put.json()).toEqual({ require_sso: true });

    const refused = await t.app.inject({
      method: 'GET',
      url: rooms(),
      headers: { cookie: emailSession.cookie },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('sso_required');

    // No enumeration: start answers exactly the same for this member and for a stranger.
    const a = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email/start',
      payload: { email },
    });
    const b = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email/start',
      payload: { email: fresh('nobody.test') },
    });
    expect([a.statusCode, a.body]).toEqual([202, b.body]);
    expect(b.statusCode).toBe(202);

    // The same person through SSO reaches the workspace.
    idp.accounts.set(email, { email, email_verified: true });
    idp.nextLogin = email;
    const start = await t.app.inject({
      method: 'GET',
      url: `/api/v1/auth/sso/start?workspace=${policyWs.id}`,
    });
    const flow = [...cookies(start.headers['set-cookie'])].map(([k, v]) => `${k}=${v}`).join('; ');
    const back = await idp.authorize(String(start.headers.location));
    const done = await t.app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { cookie: flow },
    });
    expect(done.statusCode, done.body).toBe(302);
    const sso = cookies(done.headers['set-cookie']).get('wardroom_session') ?? '';
    const ok = await t.app.inject({
      method: 'GET',
      url: rooms(),
      headers: { cookie: `wardroom_session=${sso}` },
    });
    expect(ok.statusCode).toBe(200);

    // The owner's email-code session passes, and each use is audited.
    const { rows: owner } = await admin.client.query<{ email: string }>(
      `select email from wardroom.users where id = $1`,
      [policyWs.ownerUserId],
    );
    const ownerSession = await signIn(t, owner[0]?.email ?? '');
    const recovery = await t.app.inject({
      method: 'GET',
      url: rooms(),
      headers: { cookie: ownerSession.cookie },
    });
    expect(recovery.statusCode).toBe(200);
    const { rows } = await admin.client.query(
      `select actor_id from wardroom.audit_log where tenant_id = $1 and action = 'sso.recovery_access'`,
      [policyWs.id],
    );
    expect(rows).toEqual([{ actor_id: policyWs.ownerUserId }]);
  });

  it("does not accept an SSO session made through another workspace's connection", async () => {
    const elsewhere = await newWorkspace(t);
    await addConnection(t, elsewhere, oidcBody());
    const email = fresh('corp.test');
    await invite(t, elsewhere, email);
    await invite(t, policyWs, email);
    idp.accounts.set(email, { email, email_verified: true });
    idp.nextLogin = email;
    const start = await t.app.inject({
      method: 'GET',
      url: `/api/v1/auth/sso/start?workspace=${elsewhere.id}`,
    });
    const flow = [...cookies(start.headers['set-cookie'])].map(([k, v]) => `${k}=${v}`).join('; ');
    const back = await idp.authorize(String(start.headers.location));
    const done = await t.app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { cookie: flow },
    });
    expect(done.statusCode, done.body).toBe(302);
    const sso = cookies(done.headers['set-cookie']).get('wardroom_session') ?? '';
    const res = await t.app.inject({
      method: 'GET',
      url: rooms(),
      headers: { cookie: `wardroom_session=${sso}` },
    });
    expect(res.json<{ error: { code: string } }>().error.code).toBe('sso_required');
  });
});
