/**
 * Cross-tenant attempts over HTTP, for every workspace route the app
 * registers: another workspace's token answers 404 (never 403), another
 * workspace's resource ids answer 404, no response carries the other
 * workspace's ids or content, and no attempt writes a row on either side.
 * Then the token itself: revoked, forged, spliced or malformed → 401.
 */
import { systemPrincipal } from '../../src/db/principal.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleRoutes } from '../../src/api/routes.js';
import { uuidToBytes } from '../../src/base/uuid.js';
import { revokeApiToken } from '../../src/modules/tenancy/api-tokens.js';
import { mintToken, parseToken, TOKEN_PREFIX } from '../../src/modules/tenancy/token-format.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import {
  call,
  expectError,
  seedContent,
  type Method,
  type SeededContent,
} from '../support/http.js';

interface Side extends SeededContent {
  readonly ws: TestWorkspace;
  readonly viewer: { token: string; userId: string };
  readonly marker: string;
  readonly credentialId: string;
  readonly credentialSecret: string;
  readonly connectionId: string;
  readonly agentId: string;
  readonly budgetId: string;
  readonly suspensionId: string;
  /** A run of the agent in the conversation (inserted directly: this app has no gateway). */
  readonly runId: string;
  /** A privacy request whose subject's email carries the marker. */
  readonly privacyRequestId: string;
  readonly contactId: string;
  readonly contactEmail: string;
  /** The owner's personal export. */
  readonly exportId: string;
}

let t: TestApp;
let admin: Admin;
let A: Side;
let B: Side;
const attemptedEmails: string[] = [];

const ssoConnection = (marker: string) => ({
  kind: 'oidc',
  name: `${marker} idp`,
  issuer: 'https://idp.example.test',
  client_id: `${marker}-client`,
  client_secret: `${marker}-client-secret`,
  allowed_domains: ['example.test'],
});

const agentBody = (marker: string) => ({
  name: `${marker} agent`,
  provider: 'anthropic',
  model: 'claude-haiku-4-5',
  system_prompt: `${marker} prompt`,
});

async function makeSide(label: string): Promise<Side> {
  const ws = await newWorkspace(t);
  const marker = `${label}-secret-${randomBytes(6).toString('hex')}`;
  const content = await seedContent(t, ws, marker);
  const credentialSecret = `sk-ant-${marker}`;
  const credential = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/credentials`, {
    token: ws.ownerToken,
    payload: {
      kind: 'llm_api_key',
      provider: 'anthropic',
      label: `${marker} key`,
      secret: { value: credentialSecret },
    },
  });
  expect(credential.statusCode, credential.body).toBe(201);
  const credentialId = credential.json<{ id: string }>().id;
  const connection = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/sso/connections`, {
    token: ws.ownerToken,
    payload: ssoConnection(marker),
  });
  expect(connection.statusCode, connection.body).toBe(201);
  const agent = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/agents`, {
    token: ws.ownerToken,
    payload: agentBody(marker),
  });
  expect(agent.statusCode, agent.body).toBe(201);
  const budget = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/llm/budgets`, {
    token: ws.ownerToken,
    payload: { scope: 'workspace', period: 'month', hard_limit_micros: 5_000_000 },
  });
  expect(budget.statusCode, budget.body).toBe(201);
  // A live suspension of this side's key, as the velocity tripwire writes it.
  const suspension = await t.db.withTenant(systemPrincipal(ws.id, 'test', 'test'), (tx) =>
    tx
      .insertInto('llm_key_suspensions')
      .values({
        tenant_id: ws.id,
        key_source: 'byok',
        credential_id: credentialId,
        window_micros: 10n,
        threshold_micros: 5n,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  const agentId = agent.json<{ id: string }>().id;
  const run = await t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
    tx
      .insertInto('agent_runs')
      .values({
        tenant_id: ws.id,
        conversation_id: content.conversationId,
        agent_id: agentId,
        requested_by: ws.ownerUserId,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  const privacy = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/privacy/requests`, {
    token: ws.ownerToken,
    payload: { type: 'access', subject: { email: `${marker}@example.test`, name: marker } },
  });
  expect(privacy.statusCode, privacy.body).toBe(201);
  const contactEmail = `${marker}-contact@example.test`;
  const contact = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/contacts`, {
    token: ws.ownerToken,
    payload: { name: `${marker} contact`, email: contactEmail, notes: `${marker} notes` },
  });
  expect(contact.statusCode, contact.body).toBe(201);
  const exported = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/privacy/exports`, {
    token: ws.ownerToken,
    payload: { scope: 'personal' },
  });
  expect(exported.statusCode, exported.body).toBe(202);
  return {
    exportId: exported.json<{ id: string }>().id,
    privacyRequestId: privacy.json<{ id: string }>().id,
    contactId: contact.json<{ id: string }>().id,
    contactEmail,
    budgetId: budget.json<{ id: string }>().id,
    suspensionId: suspension.id,
    connectionId: connection.json<{ id: string }>().id,
    agentId,
    runId: run.id,
    ws,
    marker,
    ...content,
    credentialId,
    credentialSecret,
    viewer: await memberToken(t, ws, 'viewer'),
  };
}

beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  A = await makeSide('alpha');
  B = await makeSide('bravo');
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const tokenId = (token: string): string => parseToken(token)!.tokenId;
const secretsOf = (s: Side): string[] => [
  s.ws.id,
  s.ws.ownerUserId,
  s.viewer.userId,
  s.workroomId,
  s.conversationId,
  s.messageId,
  s.marker,
  s.credentialId,
  s.credentialSecret,
  s.connectionId,
  s.agentId,
  s.runId,
  s.privacyRequestId,
  s.contactId,
  s.contactEmail,
  s.exportId,
  tokenId(s.ws.ownerToken),
  tokenId(s.viewer.token),
];

function expectNoneOf(body: string, secrets: string[], label: string): void {
  for (const secret of secrets) expect(body, label).not.toContain(secret);
}

interface Fixture {
  /** Values for the path parameters other than :ws, taken from one side. */
  readonly ids: (s: Side) => Record<string, string>;
  readonly body?: () => object;
}

const freshEmail = (): string => {
  const email = `intruder-${randomBytes(6).toString('hex')}@example.test`;
  attemptedEmails.push(email);
  return email;
};
const none = (): Record<string, string> => ({});
const ws = '/api/v1/workspaces/:ws';

const fixtures: Record<string, Fixture> = {
  [`GET ${ws}/members`]: { ids: none },
  [`POST ${ws}/members`]: { ids: none, body: () => ({ email: freshEmail(), role: 'owner' }) },
  [`PATCH ${ws}/members/:userId`]: {
    ids: (s) => ({ userId: s.viewer.userId }),
    body: () => ({ role: 'owner', named_roles: ['founder'] }),
  },
  [`DELETE ${ws}/members/:userId`]: { ids: (s) => ({ userId: s.viewer.userId }) },
  [`POST ${ws}/workrooms`]: { ids: none, body: () => ({ name: 'intruder room' }) },
  [`GET ${ws}/workrooms`]: { ids: none },
  [`GET ${ws}/workrooms/:id`]: { ids: (s) => ({ id: s.workroomId }) },
  [`GET ${ws}/workrooms/:id/export.docx`]: { ids: (s) => ({ id: s.workroomId }) },
  [`POST ${ws}/workrooms/:id/conversations`]: {
    ids: (s) => ({ id: s.workroomId }),
    body: () => ({ title: 'intruder thread' }),
  },
  [`GET ${ws}/workrooms/:id/conversations`]: { ids: (s) => ({ id: s.workroomId }) },
  [`GET ${ws}/conversations/:id`]: { ids: (s) => ({ id: s.conversationId }) },
  [`POST ${ws}/conversations/:id/messages`]: {
    ids: (s) => ({ id: s.conversationId }),
    body: () => ({ content: 'intruder message' }),
  },
  [`GET ${ws}/conversations/:id/messages`]: { ids: (s) => ({ id: s.conversationId }) },
  [`POST ${ws}/credentials`]: {
    ids: none,
    body: () => ({
      kind: 'webhook_api_key',
      provider: 'custom',
      label: 'intruder hook',
      secret: { value: 'intruder-webhook-key' },
    }),
  },
  [`GET ${ws}/credentials`]: { ids: none },
  [`GET ${ws}/credentials/:id`]: { ids: (s) => ({ id: s.credentialId }) },
  [`PUT ${ws}/credentials/:id`]: {
    ids: (s) => ({ id: s.credentialId }),
    body: () => ({ secret: { value: 'sk-ant-intruder-replacement' } }),
  },
  [`DELETE ${ws}/credentials/:id`]: { ids: (s) => ({ id: s.credentialId }) },
  [`GET ${ws}/keys`]: { ids: none },
  // The other workspace's own name does not help: the token is checked first.
  [`POST ${ws}/shred`]: { ids: none, body: () => ({ confirm: 'Workspace 1' }) },
  [`GET ${ws}/activity`]: { ids: none },
  [`GET ${ws}/activity/export`]: { ids: none },
  [`GET ${ws}/tokens`]: { ids: none },
  [`POST ${ws}/tokens`]: { ids: none, body: () => ({ name: 'intruder token' }) },
  [`DELETE ${ws}/tokens/:tokenId`]: { ids: (s) => ({ tokenId: tokenId(s.viewer.token) }) },
  [`POST ${ws}/sso/connections`]: { ids: none, body: () => ssoConnection('intruder') },
  [`GET ${ws}/sso/connections`]: { ids: none },
  [`GET ${ws}/sso/connections/:id`]: { ids: (s) => ({ id: s.connectionId }) },
  [`PATCH ${ws}/sso/connections/:id`]: {
    ids: (s) => ({ id: s.connectionId }),
    body: () => ({ enabled: false, allowed_domains: ['intruder.test'] }),
  },
  [`DELETE ${ws}/sso/connections/:id`]: { ids: (s) => ({ id: s.connectionId }) },
  [`POST ${ws}/agents`]: { ids: none, body: () => agentBody('intruder') },
  [`GET ${ws}/agents`]: { ids: none },
  [`GET ${ws}/agents/:id`]: { ids: (s) => ({ id: s.agentId }) },
  [`PATCH ${ws}/agents/:id`]: {
    ids: (s) => ({ id: s.agentId }),
    body: () => ({ system_prompt: 'intruder prompt', archived: true }),
  },
  [`GET ${ws}/conversations/:id/runs/:run`]: {
    ids: (s) => ({ id: s.conversationId, run: s.runId }),
  },
  [`POST ${ws}/contacts`]: {
    ids: none,
    body: () => ({ name: 'intruder contact', email: 'intruder-contact@example.test' }),
  },
  [`GET ${ws}/contacts`]: { ids: none },
  [`GET ${ws}/contacts/:id`]: { ids: (s) => ({ id: s.contactId }) },
  [`PATCH ${ws}/contacts/:id`]: {
    ids: (s) => ({ id: s.contactId }),
    body: () => ({ email: 'intruder-contact@example.test', notes: 'intruder notes' }),
  },
  [`DELETE ${ws}/contacts/:id`]: { ids: (s) => ({ id: s.contactId }) },
  [`GET ${ws}/billing`]: { ids: none },
  [`PUT ${ws}/billing/purge`]: { ids: none, body: () => ({ enabled: true }) },
  [`GET ${ws}/sso/policy`]: { ids: none },
  [`PUT ${ws}/sso/policy`]: { ids: none, body: () => ({ require_sso: true }) },
  [`GET ${ws}/llm/cache`]: { ids: none },
  [`PUT ${ws}/llm/cache`]: { ids: none, body: () => ({ enabled: true, ttl_seconds: 60 }) },
  [`POST ${ws}/llm/cache/flush`]: { ids: none },
  [`POST ${ws}/llm/budgets`]: {
    ids: none,
    body: () => ({ scope: 'workspace', period: 'day', hard_limit_micros: 1 }),
  },
  [`GET ${ws}/llm/budgets`]: { ids: none },
  [`GET ${ws}/llm/budgets/:id`]: { ids: (s) => ({ id: s.budgetId }) },
  [`PATCH ${ws}/llm/budgets/:id`]: {
    ids: (s) => ({ id: s.budgetId }),
    body: () => ({ hard_limit_micros: 1 }),
  },
  [`DELETE ${ws}/llm/budgets/:id`]: { ids: (s) => ({ id: s.budgetId }) },
  [`GET ${ws}/llm/limits`]: { ids: none },
  [`PUT ${ws}/llm/limits`]: {
    ids: none,
    body: () => ({ requests_per_minute: 1, tokens_per_minute: 1 }),
  },
  [`GET ${ws}/llm/usage`]: { ids: none },
  [`GET ${ws}/llm/usage/mine`]: { ids: none },
  [`GET ${ws}/llm/suspensions`]: { ids: none },
  [`POST ${ws}/llm/suspensions/:id/resume`]: { ids: (s) => ({ id: s.suspensionId }) },
  [`POST ${ws}/privacy/requests`]: {
    ids: none,
    body: () => ({ type: 'deletion', subject: { email: 'intruder-subject@example.test' } }),
  },
  [`GET ${ws}/privacy/requests`]: { ids: none },
  [`GET ${ws}/privacy/requests/:id`]: { ids: (s) => ({ id: s.privacyRequestId }) },
  [`POST ${ws}/privacy/requests/:id/transitions`]: {
    ids: (s) => ({ id: s.privacyRequestId }),
    body: () => ({ to: 'cancelled' }),
  },
  [`POST ${ws}/privacy/requests/:id/extension`]: {
    ids: (s) => ({ id: s.privacyRequestId }),
    body: () => ({ reason: 'intruder' }),
  },
  [`GET ${ws}/privacy/requests/:id/deletion`]: { ids: (s) => ({ id: s.privacyRequestId }) },
  [`POST ${ws}/privacy/requests/:id/deletion`]: {
    ids: (s) => ({ id: s.privacyRequestId }),
    body: () => ({ confirm: 'intruder-subject@example.test' }),
  },
  [`GET ${ws}/privacy/residency`]: { ids: none },
  [`PUT ${ws}/privacy/residency`]: { ids: none, body: () => ({ region: 'us' }) },
  [`POST ${ws}/privacy/exports`]: { ids: none, body: () => ({ form: 'readable' }) },
  [`GET ${ws}/privacy/exports`]: { ids: none },
  [`GET ${ws}/privacy/exports/:id`]: { ids: (s) => ({ id: s.exportId }) },
};
const routeKeys = Object.keys(fixtures);

/** Builds the request for one route: workspace `wsId`, resource ids taken from `idsOf`. */
function request(key: string, wsId: string, idsOf: Side) {
  const [method, template] = key.split(' ') as [Method, string];
  const fixture = fixtures[key]!;
  let url = template.replace(':ws', wsId);
  for (const [name, value] of Object.entries(fixture.ids(idsOf)))
    url = url.replace(`:${name}`, value);
  return { method, url, payload: fixture.body?.() };
}

describe('route coverage', () => {
  it('has a fixture for exactly the registered workspace routes', () => {
    const registered = t.app.declaredRoutes
      .filter((r) => r.url.includes(':ws'))
      .map((r) => `${r.method} ${r.url}`);
    const declared = moduleRoutes({ keyring: t.keyring })
      .filter((r) => r.url.includes(':ws'))
      .map((r) => `${r.method} ${r.url}`);
    expect(registered.sort()).toEqual([...routeKeys].sort());
    expect(declared.sort()).toEqual([...routeKeys].sort());
    for (const key of routeKeys) {
      const [method, url] = key.split(' ') as [Method, string];
      expect(t.app.hasRoute({ method, url }), key).toBe(true);
    }
  });
});

describe('another workspace', () => {
  it.each([
    ['bravo', 'alpha'],
    ['alpha', 'bravo'],
  ])(
    "%s's tokens on %s's workspace URLs answer 404, leak nothing, write nothing",
    async (attackerName, _victimName) => {
      const [attacker, victim] = attackerName === 'alpha' ? [A, B] : [B, A];
      const before = [await admin.snapshot(A.ws.id), await admin.snapshot(B.ws.id)];
      const nowhere = await call(t, 'GET', `/api/v1/workspaces/${randomUUID()}/workrooms`, {
        token: attacker.ws.ownerToken,
      });
      const missing = expectError(nowhere, 404, 'not_found');
      for (const token of [attacker.ws.ownerToken, attacker.viewer.token]) {
        for (const key of routeKeys) {
          const { method, url, payload } = request(key, victim.ws.id, victim);
          const res = await call(t, method, url, { token, ...(payload ? { payload } : {}) });
          const label = `${key} with ${attackerName}'s token`;
          // Same answer as for a workspace that does not exist: not even 403.
          expect(expectError(res, 404, 'not_found', label)).toEqual(missing);
          expectNoneOf(res.body, [...secretsOf(victim), ...secretsOf(attacker)], label);
        }
      }
      expect([await admin.snapshot(A.ws.id), await admin.snapshot(B.ws.id)]).toEqual(before);
      for (const email of attemptedEmails) expect(await admin.userExists(email), email).toBe(false);
    },
  );

  it("answers 404 for the other workspace's resource ids inside one's own workspace", async () => {
    const before = [await admin.snapshot(A.ws.id), await admin.snapshot(B.ws.id)];
    const withIds = routeKeys.filter((key) => Object.keys(fixtures[key]!.ids(B)).length > 0);
    expect(withIds).toHaveLength(32);
    for (const key of withIds) {
      const { method, url, payload } = request(key, A.ws.id, B);
      const res = await call(t, method, url, {
        token: A.ws.ownerToken,
        ...(payload ? { payload } : {}),
      });
      expectError(res, 404, 'not_found', key);
      expectNoneOf(res.body, secretsOf(B), key);
    }
    expect([await admin.snapshot(A.ws.id), await admin.snapshot(B.ws.id)]).toEqual(before);
  });

  it("lists only one's own rows and never the other workspace's", async () => {
    const lists: [string, string][] = [
      [`/api/v1/workspaces/${A.ws.id}/members`, A.viewer.userId],
      [`/api/v1/workspaces/${A.ws.id}/workrooms?limit=200`, A.workroomId],
      [`/api/v1/workspaces/${A.ws.id}/conversations/${A.conversationId}/messages`, A.messageId],
      [`/api/v1/workspaces/${A.ws.id}/credentials`, A.credentialId],
      [`/api/v1/workspaces/${A.ws.id}/tokens`, tokenId(A.ws.ownerToken)],
      [`/api/v1/workspaces/${A.ws.id}/agents?status=all`, A.agentId],
      [`/api/v1/workspaces/${A.ws.id}/privacy/requests`, A.privacyRequestId],
      [`/api/v1/workspaces/${A.ws.id}/privacy/exports`, A.exportId],
    ];
    for (const [url, own] of lists) {
      const res = await call(t, 'GET', url, { token: A.ws.ownerToken });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain(own);
      expectNoneOf(res.body, secretsOf(B), url);
    }
    const messages = await call(t, 'GET', lists[2]![0], { token: A.ws.ownerToken });
    expect(messages.json()).toMatchObject({
      items: [{ id: A.messageId, content: `${A.marker} message` }],
    });
  });

  it('matches the workspace id in the URL case-insensitively, but only to the token’s own', async () => {
    const upper = `/api/v1/workspaces/${A.ws.id.toUpperCase()}/workrooms/${A.workroomId}`;
    const own = await call(t, 'GET', upper, { token: A.ws.ownerToken });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ id: A.workroomId, name: `${A.marker} room` });
    expectError(await call(t, 'GET', upper, { token: B.ws.ownerToken }), 404, 'not_found');
  });
});

describe('tokens', () => {
  const createUrl = () => `/api/v1/workspaces/${A.ws.id}/workrooms`;

  async function expectRefused(authorization: string | undefined, label: string): Promise<void> {
    const before = await admin.snapshot(A.ws.id);
    const res = await call(t, 'POST', createUrl(), {
      payload: { name: 'should not exist' },
      ...(authorization === undefined ? {} : { headers: { authorization } }),
    });
    expectError(res, 401, 'unauthenticated', label);
    expectNoneOf(res.body, secretsOf(A), label);
    expect(await admin.snapshot(A.ws.id), label).toEqual(before);
  }

  it('refuses a revoked token', async () => {
    const m = await memberToken(t, A.ws, 'member');
    const ok = await call(t, 'GET', createUrl(), { token: m.token });
    expect(ok.statusCode).toBe(200);
    const principal = systemPrincipal(A.ws.id, 'test');
    await t.db.withTenant(principal, (tx) => revokeApiToken(tx, tokenId(m.token)));
    await expectRefused(`Bearer ${m.token}`, 'revoked');
  });

  it('refuses a well-formed token whose secret is forged', async () => {
    const forged = mintToken(A.ws.id, tokenId(A.ws.ownerToken)).token;
    expect(parseToken(forged)).toMatchObject({ tenantId: A.ws.id });
    await expectRefused(`Bearer ${forged}`, 'forged secret');
    await expectRefused(`Bearer ${mintToken(A.ws.id, randomUUID()).token}`, 'random id');
  });

  it("refuses another workspace's real token id and secret relabelled as this workspace", async () => {
    const b = parseToken(B.ws.ownerToken)!;
    const body = Buffer.concat([uuidToBytes(A.ws.id), uuidToBytes(b.tokenId), b.secret]);
    await expectRefused(`Bearer ${TOKEN_PREFIX}${body.toString('base64url')}`, 'spliced');
  });

  it('refuses missing and malformed Authorization headers', async () => {
    const real = A.ws.ownerToken;
    const headers = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from('owner:secret').toString('base64')}`,
      `Token ${real}`,
      'Bearer not-a-token',
      `Bearer ${real}x`,
      `Bearer ${real.slice(0, -1)}`,
      `Bearer ${real} ${real}`,
      `Bearer ${TOKEN_PREFIX}${'!'.repeat(86)}`,
      `Bearer ${real.slice(TOKEN_PREFIX.length)}`,
    ];
    for (const header of headers) await expectRefused(header, String(header));
  });
});
