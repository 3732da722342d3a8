/**
 * SAML sign-in against an IdP made in the test (a key pair, a self-signed
 * certificate, assertions signed with xml-crypto): SP metadata, the
 * SP-initiated redirect, a signed assertion signing a member in, and every
 * forged or replayed answer refused with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, type Admin } from '../support/admin.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import {
  assertionXml,
  makeIdpKeys,
  requestIdOf,
  responseFor,
  signAssertion,
  type AssertionParts,
  type IdpKeys,
} from './saml-idp.js';
import { addConnection, cookies, footprint, fresh, invite } from './support.js';

const IDP = 'https://idp.corp.test/saml';
const SP = 'http://localhost/api/v1/auth/sso/saml/metadata';
const ACS = 'http://localhost/api/v1/auth/sso/saml/acs';

let t: TestApp;
let admin: Admin;
let ws: TestWorkspace;
let keys: IdpKeys;
let stranger: IdpKeys;

beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  keys = makeIdpKeys();
  stranger = makeIdpKeys('someone-else');
  ws = await newWorkspace(t);
  await addConnection(t, ws, {
    kind: 'saml',
    name: 'Corp SAML',
    idp_entity_id: IDP,
    idp_sso_url: 'https://idp.corp.test/sso',
    idp_certificates: [keys.cert],
    allowed_domains: ['corp.test'],
  });
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

async function start(): Promise<string> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/auth/sso/start?workspace=${ws.id}`,
  });
  expect(res.statusCode, res.body).toBe(302);
  const to = String(res.headers.location);
  expect(to.startsWith('https://idp.corp.test/sso?SAMLRequest=')).toBe(true);
  return requestIdOf(to);
}

const post = (samlResponse: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sso/saml/acs',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: '' }).toString(),
  });

function parts(
  email: string,
  requestId: string,
  more: Partial<AssertionParts> = {},
): AssertionParts {
  return { issuer: IDP, email, audience: SP, acs: ACS, inResponseTo: requestId, ...more };
}

const respond = (assertion: string, requestId: string) =>
  responseFor(assertion, { issuer: IDP, acs: ACS, inResponseTo: requestId });

async function member(): Promise<{ email: string; userId: string }> {
  const email = fresh('corp.test');
  return { email, userId: await invite(t, ws, email) };
}

async function expectRefused(samlResponse: string, code: string) {
  const before = await footprint(admin, ws.id);
  const res = await post(samlResponse);
  expect(res.json<{ error: { code: string } }>().error.code).toBe(code);
  expect(await footprint(admin, ws.id)).toEqual(before);
}

describe('SAML sign-in', () => {
  it('publishes service-provider metadata (entity id, ACS URL)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso/saml/metadata' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/samlmetadata\+xml/);
    expect(res.body).toContain(`entityID="${SP}"`);
    expect(res.body).toContain(`Location="${ACS}"`);
  });

  it('signs a member in with a signed assertion answering our request', async () => {
    const me = await member();
    const requestId = await start();
    const res = await post(
      respond(signAssertion(assertionXml(parts(me.email, requestId)), keys), requestId),
    );
    expect(res.statusCode, res.body).toBe(302);
    expect(res.headers.location).toBe('/app/workspaces');
    const session = cookies(res.headers['set-cookie']).get('wardroom_session') ?? '';
    const who = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: `wardroom_session=${session}` },
    });
    expect(who.json()).toMatchObject({ user: { id: me.userId } });
    const { rows } = await admin.client.query(
      `select auth_method, sso_tenant_id from wardroom.sessions where user_id = $1`,
      [me.userId],
    );
    expect(rows).toEqual([{ auth_method: 'sso', sso_tenant_id: ws.id }]);
  });
});

describe('SAML attacks, each refused with nothing changed', () => {
  it('refuses the same response twice (its request was answered)', async () => {
    const me = await member();
    const requestId = await start();
    const response = respond(
      signAssertion(assertionXml(parts(me.email, requestId)), keys),
      requestId,
    );
    expect((await post(response)).statusCode).toBe(302);
    await expectRefused(response, 'sso_state_invalid');
  });

  it('refuses a used assertion wrapped in a response to a new request (sso_assertion_replayed)', async () => {
    const me = await member();
    // An IdP that leaves InResponseTo out of the assertion: only the wrapper names the request.
    const first = await start();
    const signed = signAssertion(
      assertionXml(parts(me.email, first, { inResponseTo: undefined })),
      keys,
    );
    expect((await post(respond(signed, first))).statusCode).toBe(302);
    const second = await start();
    await expectRefused(respond(signed, second), 'sso_assertion_replayed');
  });

  it('refuses an unsigned assertion', async () => {
    const me = await member();
    const requestId = await start();
    await expectRefused(
      respond(assertionXml(parts(me.email, requestId)), requestId),
      'sso_assertion_invalid',
    );
  });

  it('refuses an assertion changed after signing', async () => {
    const me = await member();
    const other = await member();
    const requestId = await start();
    const signed = signAssertion(assertionXml(parts(me.email, requestId)), keys);
    await expectRefused(
      respond(signed.replace(me.email, other.email), requestId),
      'sso_assertion_invalid',
    );
  });

  it('refuses an assertion signed with a key that is not the IdP’s', async () => {
    const me = await member();
    const requestId = await start();
    await expectRefused(
      respond(signAssertion(assertionXml(parts(me.email, requestId)), stranger), requestId),
      'sso_assertion_invalid',
    );
  });

  const bad: [string, (email: string, id: string) => AssertionParts][] = [
    ['another audience', (e, id) => parts(e, id, { audience: 'https://other-sp.example' })],
    [
      'an expired NotOnOrAfter',
      (e, id) => parts(e, id, { notOnOrAfter: new Date(Date.now() - 10 * 60_000) }),
    ],
    ['another issuer', (e, id) => parts(e, id, { issuer: 'https://evil.example/saml' })],
  ];
  for (const [what, make] of bad) {
    it(`refuses a signed assertion with ${what}`, async () => {
      const me = await member();
      const requestId = await start();
      await expectRefused(
        respond(signAssertion(assertionXml(make(me.email, requestId)), keys), requestId),
        'sso_assertion_invalid',
      );
    });
  }

  it('refuses an answer to a request this server never sent (sso_state_invalid)', async () => {
    const me = await member();
    const forged = '_not-our-request';
    await expectRefused(
      respond(signAssertion(assertionXml(parts(me.email, forged)), keys), forged),
      'sso_state_invalid',
    );
  });

  it('refuses an email outside the allowed domains', async () => {
    const email = fresh('elsewhere.test');
    await invite(t, ws, email);
    const requestId = await start();
    await expectRefused(
      respond(signAssertion(assertionXml(parts(email, requestId)), keys), requestId),
      'sso_domain_not_allowed',
    );
  });
});
