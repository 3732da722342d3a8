/**
 * Every registered route declares who may call it, and this test proves each
 * declaration against every role: allowed roles succeed, lower roles get 403
 * and change nothing. A route with no fixture here, or registered without an
 * access rule, fails the suite.
 */
import { systemPrincipal } from '../../src/db/principal.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { createLogger } from '../../src/base/logger.js';
import { hasAtLeast, ROLES, type NamedRole, type Role } from '../../src/modules/tenancy/roles.js';
import type { DeclaredAccess as Access } from '../../src/api/server.js';
import {
  bearer,
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { signIn, type Browser } from '../support/sign-in.js';
import { createApiToken } from '../../src/modules/tenancy/api-tokens.js';
import { parseToken } from '../../src/modules/tenancy/token-format.js';
import { makeIdpKeys } from '../sso/saml-idp.js';
import { createGateway } from '../../src/modules/gateway/index.js';
import { gatewayDeps } from '../gateway/pipeline-harness.js';
import { testKey } from '../gateway/helpers.js';
import { startFakeLlmUpstream, type FakeLlmUpstream } from '../support/fake-llm-upstream.js';
import { Readable } from 'node:stream';
import { objectKey } from '../../src/modules/storage/index.js';

let t: TestApp;
let ws: TestWorkspace;
let fake: FakeLlmUpstream;
/** The agent the runs route is asked to run. */
let runAgent = '';
let workroomId: string;
let conversationId: string;

beforeAll(async () => {
  // With a gateway, so the LLM-compatible routes and the runs route are registered too.
  fake = await startFakeLlmUpstream(testKey());
  t = await startTestApp({
    gateway: ({ db, keyring }) => createGateway({ ...gatewayDeps(fake), db, keyring }),
    billing: { plans: [], stripeWebhookSecret: `whsec_${randomBytes(16).toString('hex')}` },
  });
  ws = await newWorkspace(t);
  const wr = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/workrooms`,
    payload: { name: 'fixture' },
    headers: bearer(ws.ownerToken),
  });
  workroomId = wr.json<{ id: string }>().id;
  const conv = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/workrooms/${workroomId}/conversations`,
    payload: {},
    headers: bearer(ws.ownerToken),
  });
  conversationId = conv.json<{ id: string }>().id;
  runAgent = (await freshAgent()).id;
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

interface Fixture {
  /** Path parameters besides :ws, resolved per call (a fresh victim for destructive routes). */
  params(): Promise<Record<string, string>>;
  body?: (workspace: { id: string; name: string }) => unknown;
  /**
   * For routes that destroy the workspace itself (shred): each call runs in
   * a new workspace, by a new member holding the caller's roles there.
   */
  freshWorkspace?: true;
  /** For a session route: path parameters that need the caller's session and email. */
  sessionParams?: (caller: Browser, email: string) => Promise<Record<string, string>>;
  /** For a workspace route that needs a signed-in session, not a bearer token (creating tokens). */
  signedIn?: true;
  /** Path parameters that need the caller (a token of the caller's own). */
  callerParams?: (callerToken: string) => Promise<Record<string, string>>;
  /** A query string for the URL. */
  query?: () => Promise<string>;
  /** For a public route that answers other than 2xx when used right (a redirect, an IdP error). */
  status?: number;
}

/** The email of a member of `ws` (to sign them in). */
async function emailOf(userId: string): Promise<string> {
  const row = await t.db.withTenant(systemPrincipal(ws.id, 'test', 'test'), (tx) =>
    tx.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow(),
  );
  return row.email;
}

/** A code for a fresh invited member: the sign-in routes' fixture. */
let pendingSignIn: { email: string; code: string } | undefined;
async function freshCode(): Promise<Record<string, string>> {
  const { userId } = await memberToken(t, ws, 'viewer');
  const email = await emailOf(userId);
  await t.app.inject({ method: 'POST', url: '/api/v1/auth/email/start', payload: { email } });
  pendingSignIn = { email, code: await t.codes.next(email) };
  return {};
}

/** A new token of the caller's own (revoking the caller's token would end the run's later calls). */
async function ownTokenOf(callerToken: string): Promise<Record<string, string>> {
  const tokenId = parseToken(callerToken)?.tokenId ?? '';
  const made = await t.db.withTenant(systemPrincipal(ws.id, 'test', 'test'), async (tx) => {
    const row = await tx
      .selectFrom('api_tokens')
      .select('user_id')
      .where('id', '=', tokenId)
      .executeTakeFirstOrThrow();
    return createApiToken(tx, { userId: row.user_id, name: 'fixture' });
  });
  return { tokenId: made.id };
}

const freshMember = async () => ({ userId: (await memberToken(t, ws, 'viewer')).userId });
const llmKey = () => ({ value: `sk-ant-${randomBytes(16).toString('hex')}` });
const freshCredential = async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/credentials`,
    payload: {
      kind: 'llm_api_key',
      provider: 'anthropic',
      label: `fixture ${randomBytes(4).toString('hex')}`,
      secret: llmKey(),
    },
    headers: bearer(ws.ownerToken),
  });
  return { id: res.json<{ id: string }>().id };
};

const freshAgent = async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/agents`,
    payload: {
      name: `fixture ${randomBytes(4).toString('hex')}`,
      provider: 'openai',
      model: 'gpt-4o-mini',
      system_prompt: 'Answer briefly.',
    },
    headers: bearer(ws.ownerToken),
  });
  return { id: res.json<{ id: string }>().id };
};
/** A finished run of a fresh agent in the fixture conversation (runs are made by streaming). */
const freshRun = async () => {
  const agent = await freshAgent();
  const row = await t.db.withTenant(systemPrincipal(ws.id, 'test', 'test'), (tx) =>
    tx
      .insertInto('agent_runs')
      .values({
        tenant_id: ws.id,
        conversation_id: conversationId,
        agent_id: agent.id,
        requested_by: ws.ownerUserId,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  return { id: conversationId, run: row.id };
};
/** A personal export of the caller's (each member sees only their own). */
const ownExport = async (token: string) => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/privacy/exports`,
    payload: { scope: 'personal' },
    headers: bearer(token),
  });
  return { id: res.json<{ id: string }>().id };
};
/** A fresh privacy request (each transition needs one in a state that allows it). */
const freshPrivacyRequest = async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/privacy/requests`,
    payload: { type: 'access', subject: { email: 'fixture-subject@example.test' } },
    headers: bearer(ws.ownerToken),
  });
  return { id: res.json<{ id: string }>().id };
};
/** A fresh deletion request about an address with no account here, identity verified. */
const freshDeletionRequest = async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/privacy/requests`,
    payload: { type: 'deletion', subject: { email: 'fixture-subject@example.test' } },
    headers: bearer(ws.ownerToken),
  });
  const id = res.json<{ id: string }>().id;
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/privacy/requests/${id}/transitions`,
    payload: { to: 'identity_verified' },
    headers: bearer(ws.ownerToken),
  });
  return { id };
};
/** A member-scoped budget for a fresh member (a subject has one budget per period). */
let budgetSubject = '';
const freshBudgetSubject = async () => {
  budgetSubject = (await memberToken(t, ws, 'viewer')).userId;
  return {};
};
const freshBudget = async () => {
  const { userId } = await memberToken(t, ws, 'viewer');
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/llm/budgets`,
    payload: { scope: 'member', user_id: userId, period: 'day', hard_limit_micros: 1000 },
    headers: bearer(ws.ownerToken),
  });
  return { id: res.json<{ id: string }>().id };
};
const freshSuspension = async () => {
  const row = await t.db.withTenant(systemPrincipal(ws.id, 'test', 'test'), (tx) =>
    tx
      .insertInto('llm_key_suspensions')
      .values({
        tenant_id: ws.id,
        key_source: 'byok',
        credential_id: randomUUID(),
        window_micros: 10n,
        threshold_micros: 5n,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  return { id: row.id };
};

const oidcConnection = () => ({
  kind: 'oidc',
  name: `fixture ${randomBytes(4).toString('hex')}`,
  issuer: 'https://idp.example.test',
  client_id: 'wardroom',
  client_secret: randomBytes(12).toString('hex'),
  allowed_domains: ['example.test'],
});
let idpCert: string | undefined;
/** A SAML connection of `ws` (starting a SAML sign-in calls no IdP). */
const freshConnection = async () => {
  idpCert ??= makeIdpKeys().cert;
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/sso/connections`,
    payload: {
      kind: 'saml',
      name: 'fixture',
      idp_entity_id: 'https://idp.example.test/saml',
      idp_sso_url: 'https://idp.example.test/sso',
      idp_certificates: [idpCert],
      allowed_domains: ['example.test'],
    },
    headers: bearer(ws.ownerToken),
  });
  return { id: res.json<{ id: string }>().id };
};
const freshContact = async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/contacts`,
    payload: { name: 'Fixture', email: `contact-${randomBytes(4).toString('hex')}@example.test` },
    headers: bearer(ws.ownerToken),
  });
  return { id: res.json<{ id: string }>().id };
};
/** A code for a fresh opt-out: the confirm route's fixture. */
let pendingOptOut: { email: string; code: string } | undefined;
async function freshOptOutCode(): Promise<Record<string, string>> {
  const email = `optout-${randomBytes(4).toString('hex')}@example.test`;
  await t.app.inject({ method: 'POST', url: '/api/v1/privacy/optout', payload: { email } });
  pendingOptOut = { email, code: await t.optOut.mail.nextCode(email) };
  return {};
}
const none = () => Promise.resolve({});
/** A signed link to a fresh object of `ws` (the download route is public: the link is the credential). */
const freshDownload = async () => {
  const key = objectKey(ws.id, 'exports', `fixture-${randomBytes(4).toString('hex')}.txt`);
  await t.storage.write(systemPrincipal(ws.id, 'test'), key, Readable.from([Buffer.from('x')]));
  return new URL(t.storage.downloadLink(key, 60).url).search;
};

const fixtures: Record<string, Fixture> = {
  'GET /api/v1/auth/sso/start': {
    params: none,
    query: async () => `?workspace=${ws.id}&connection=${(await freshConnection()).id}`,
    status: 302,
  },
  // Without a flow: sso_state_invalid, as for anyone.
  'GET /api/v1/auth/sso/oidc/callback': { params: none, status: 400 },
  'POST /api/v1/auth/sso/saml/acs': {
    params: none,
    body: () => ({ SAMLResponse: Buffer.from('<not-saml/>').toString('base64') }),
    status: 401,
  },
  'GET /api/v1/auth/sso/saml/metadata': { params: none },
  'POST /api/v1/workspaces/:ws/sso/connections': { params: none, body: oidcConnection },
  'GET /api/v1/workspaces/:ws/sso/connections': { params: none },
  'GET /api/v1/workspaces/:ws/sso/connections/:id': { params: freshConnection },
  'PATCH /api/v1/workspaces/:ws/sso/connections/:id': {
    params: freshConnection,
    body: () => ({ name: 'renamed' }),
  },
  'DELETE /api/v1/workspaces/:ws/sso/connections/:id': { params: freshConnection },
  'GET /api/v1/workspaces/:ws/sso/policy': { params: none },
  'PUT /api/v1/workspaces/:ws/sso/policy': { params: none, body: () => ({ require_sso: false }) },
  'GET /api/v1/workspaces/:ws/llm/cache': { params: none },
  'PUT /api/v1/workspaces/:ws/llm/cache': { params: none, body: () => ({ enabled: false }) },
  'POST /api/v1/workspaces/:ws/llm/cache/flush': { params: none },
  'GET /healthz': { params: () => Promise.resolve({}) },
  'GET /.well-known/wardroom-audit-key': { params: () => Promise.resolve({}) },
  'GET /api/v1/openapi.json': { params: () => Promise.resolve({}) },
  'GET /api/v1/objects/download': { params: none, query: freshDownload },
  'POST /api/v1/auth/email/start': {
    params: () => Promise.resolve({}),
    body: () => ({ email: `anyone-${randomBytes(4).toString('hex')}@example.test` }),
  },
  'POST /api/v1/auth/email/verify': { params: freshCode, body: () => pendingSignIn },
  'POST /api/v1/auth/sign-out': { params: () => Promise.resolve({}) },
  'POST /api/v1/auth/sign-out-everywhere': { params: () => Promise.resolve({}) },
  'GET /api/v1/me': { params: () => Promise.resolve({}) },
  'GET /api/v1/me/sessions': { params: () => Promise.resolve({}) },
  'DELETE /api/v1/me/sessions/:id': {
    params: () => Promise.resolve({ id: randomUUID() }),
    // Another session of the caller's own.
    sessionParams: async (_caller, email) => {
      const other = await signIn(t, email);
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me/sessions',
        headers: { cookie: other.cookie },
      });
      const current = res.json<{ items: { id: string; current: boolean }[] }>().items;
      return { id: current.find((i) => i.current)?.id ?? '' };
    },
  },
  // The caller stays: the typed email is not theirs (account-deletion.test.ts deletes for real).
  'POST /api/v1/account/delete': {
    params: () => Promise.resolve({}),
    body: () => ({ confirm_email: 'not-the-caller@example.test' }),
    status: 400,
  },
  'GET /api/v1/account/deletion': { params: () => Promise.resolve({}) },
  // Nobody's deletion: 404 for every caller (account-deletion.test.ts cancels for real).
  'POST /api/v1/account/deletion/cancel': {
    params: () => Promise.resolve({}),
    body: () => ({ id: randomUUID() }),
    status: 404,
  },
  'POST /api/v1/workspaces': {
    params: () => Promise.resolve({}),
    body: () => ({ name: 'fixture', region: 'eu' }),
  },
  'GET /api/v1/workspaces': { params: () => Promise.resolve({}) },
  'GET /api/v1/workspaces/:ws/members': { params: () => Promise.resolve({}) },
  'POST /api/v1/workspaces/:ws/members': {
    params: () => Promise.resolve({}),
    body: () => ({ email: `new-${randomBytes(4).toString('hex')}@example.test`, role: 'viewer' }),
  },
  'PATCH /api/v1/workspaces/:ws/members/:userId': {
    params: freshMember,
    body: () => ({ role: 'member' }),
  },
  'DELETE /api/v1/workspaces/:ws/members/:userId': { params: freshMember },
  'GET /api/v1/workspaces/:ws/tokens': { params: () => Promise.resolve({}) },
  'POST /api/v1/workspaces/:ws/tokens': {
    params: () => Promise.resolve({}),
    body: () => ({ name: 'fixture', expires_in_days: 7 }),
    signedIn: true,
  },
  'DELETE /api/v1/workspaces/:ws/tokens/:tokenId': {
    params: () => Promise.resolve({ tokenId: randomUUID() }),
    callerParams: ownTokenOf,
  },
  'POST /api/v1/workspaces/:ws/workrooms': {
    params: () => Promise.resolve({}),
    body: () => ({ name: 'r' }),
  },
  'GET /api/v1/workspaces/:ws/workrooms': { params: () => Promise.resolve({}) },
  'GET /api/v1/workspaces/:ws/workrooms/:id': { params: () => Promise.resolve({ id: workroomId }) },
  'POST /api/v1/workspaces/:ws/workrooms/:id/conversations': {
    params: () => Promise.resolve({ id: workroomId }),
    body: () => ({ title: 't' }),
  },
  'GET /api/v1/workspaces/:ws/workrooms/:id/conversations': {
    params: () => Promise.resolve({ id: workroomId }),
  },
  'GET /api/v1/workspaces/:ws/workrooms/:id/export.docx': {
    params: () => Promise.resolve({ id: workroomId }),
  },
  'GET /api/v1/workspaces/:ws/conversations/:id': {
    params: () => Promise.resolve({ id: conversationId }),
  },
  'POST /api/v1/workspaces/:ws/conversations/:id/messages': {
    params: () => Promise.resolve({ id: conversationId }),
    body: () => ({ content: 'hello' }),
  },
  'GET /api/v1/workspaces/:ws/conversations/:id/messages': {
    params: () => Promise.resolve({ id: conversationId }),
  },
  'GET /api/v1/workspaces/:ws/activity': { params: () => Promise.resolve({}) },
  'GET /api/v1/workspaces/:ws/activity/export': { params: () => Promise.resolve({}) },
  'POST /api/v1/workspaces/:ws/credentials': {
    params: () => Promise.resolve({}),
    body: () => ({
      kind: 'webhook_api_key',
      provider: 'custom',
      label: `hook ${randomBytes(4).toString('hex')}`,
      secret: { value: randomBytes(12).toString('hex') },
    }),
  },
  'GET /api/v1/workspaces/:ws/credentials': { params: () => Promise.resolve({}) },
  'GET /api/v1/workspaces/:ws/credentials/:id': { params: freshCredential },
  'PUT /api/v1/workspaces/:ws/credentials/:id': {
    params: freshCredential,
    body: () => ({ secret: llmKey() }),
  },
  'DELETE /api/v1/workspaces/:ws/credentials/:id': { params: freshCredential },
  'POST /api/v1/workspaces/:ws/llm/budgets': {
    params: freshBudgetSubject,
    body: () => ({
      scope: 'member',
      user_id: budgetSubject,
      period: 'month',
      hard_limit_micros: 1,
    }),
  },
  'GET /api/v1/workspaces/:ws/llm/budgets': { params: () => Promise.resolve({}) },
  'GET /api/v1/workspaces/:ws/llm/budgets/:id': { params: freshBudget },
  'PATCH /api/v1/workspaces/:ws/llm/budgets/:id': {
    params: freshBudget,
    body: () => ({ hard_limit_micros: 2000 }),
  },
  'DELETE /api/v1/workspaces/:ws/llm/budgets/:id': { params: freshBudget },
  'GET /api/v1/workspaces/:ws/llm/limits': { params: () => Promise.resolve({}) },
  'PUT /api/v1/workspaces/:ws/llm/limits': {
    params: () => Promise.resolve({}),
    body: () => ({ requests_per_minute: 600, tokens_per_minute: null }),
  },
  'GET /api/v1/workspaces/:ws/llm/usage': { params: () => Promise.resolve({}) },
  'GET /api/v1/workspaces/:ws/llm/usage/mine': { params: () => Promise.resolve({}) },
  'GET /api/v1/workspaces/:ws/llm/suspensions': { params: () => Promise.resolve({}) },
  'POST /api/v1/workspaces/:ws/llm/suspensions/:id/resume': { params: freshSuspension },
  'GET /api/v1/workspaces/:ws/keys': { params: () => Promise.resolve({}) },
  'POST /api/v1/workspaces/:ws/agents': {
    params: () => Promise.resolve({}),
    body: () => ({
      name: `agent ${randomBytes(4).toString('hex')}`,
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
    }),
  },
  'GET /api/v1/workspaces/:ws/agents': { params: () => Promise.resolve({}) },
  'GET /api/v1/workspaces/:ws/agents/:id': { params: freshAgent },
  'PATCH /api/v1/workspaces/:ws/agents/:id': {
    params: freshAgent,
    body: () => ({ max_output_tokens: 512 }),
  },
  'GET /api/v1/workspaces/:ws/conversations/:id/runs/:run': { params: freshRun },
  // An OpenAI agent in a workspace with no OpenAI key: the offline provider answers (nothing is sent).
  'POST /api/v1/workspaces/:ws/conversations/:id/runs': {
    params: () => Promise.resolve({ id: conversationId }),
    body: () => ({ agent_id: runAgent, content: 'Say hello.' }),
  },
  // The compatible endpoints, each call in a new workspace with no key: the offline provider answers.
  'POST /api/v1/workspaces/:ws/llm/v1/messages': {
    params: none,
    freshWorkspace: true,
    body: () => ({
      model: 'claude-haiku-4-5',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'Hi' }],
    }),
  },
  'POST /api/v1/workspaces/:ws/llm/v1/chat/completions': {
    params: none,
    freshWorkspace: true,
    body: () => ({
      model: 'gpt-4o-mini',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'Hi' }],
    }),
  },
  'POST /api/v1/workspaces/:ws/llm/v1/responses': {
    params: none,
    freshWorkspace: true,
    body: () => ({ model: 'gpt-4o-mini', max_output_tokens: 16, input: 'Hi' }),
  },
  'POST /api/v1/workspaces/:ws/llm/v1/embeddings': {
    params: none,
    freshWorkspace: true,
    body: () => ({ model: 'text-embedding-3-small', input: 'Hi' }),
  },
  'POST /api/v1/workspaces/:ws/privacy/requests': {
    params: () => Promise.resolve({}),
    body: () => ({ type: 'opt_out', jurisdiction: 'US-CA', subject: { email: 'f@example.test' } }),
  },
  'GET /api/v1/workspaces/:ws/privacy/requests': { params: () => Promise.resolve({}) },
  'GET /api/v1/workspaces/:ws/privacy/requests/:id': { params: freshPrivacyRequest },
  'POST /api/v1/workspaces/:ws/privacy/requests/:id/transitions': {
    params: freshPrivacyRequest,
    body: () => ({ to: 'identity_verified' }),
  },
  'POST /api/v1/workspaces/:ws/privacy/requests/:id/extension': {
    params: freshPrivacyRequest,
    body: () => ({ reason: 'Complex request' }),
  },
  'GET /api/v1/workspaces/:ws/privacy/requests/:id/deletion': { params: freshDeletionRequest },
  // No account has the address: confirmed, the request goes in progress and nothing is scheduled.
  'POST /api/v1/workspaces/:ws/privacy/requests/:id/deletion': {
    params: freshDeletionRequest,
    body: () => ({ confirm: 'fixture-subject@example.test' }),
  },
  'GET /api/v1/workspaces/:ws/privacy/residency': { params: () => Promise.resolve({}) },
  'PUT /api/v1/workspaces/:ws/privacy/residency': {
    params: () => Promise.resolve({}),
    body: () => ({ region: 'eu' }),
  },
  // Any member may start their personal export (a workspace export is owners': tested in test/privacy).
  'POST /api/v1/workspaces/:ws/privacy/exports': {
    params: () => Promise.resolve({}),
    body: () => ({ scope: 'personal' }),
  },
  'GET /api/v1/workspaces/:ws/privacy/exports': { params: () => Promise.resolve({}) },
  'GET /api/v1/workspaces/:ws/privacy/exports/:id': {
    params: () => ownExport(ws.ownerToken),
    callerParams: ownExport,
  },
  'POST /api/v1/workspaces/:ws/contacts': {
    params: none,
    body: () => ({ name: 'C', email: `c-${randomBytes(4).toString('hex')}@example.test` }),
  },
  'GET /api/v1/workspaces/:ws/contacts': { params: none },
  'GET /api/v1/workspaces/:ws/contacts/:id': { params: freshContact },
  'PATCH /api/v1/workspaces/:ws/contacts/:id': {
    params: freshContact,
    body: () => ({ notes: 'edited' }),
  },
  'DELETE /api/v1/workspaces/:ws/contacts/:id': { params: freshContact },
  'POST /api/v1/privacy/optout': {
    params: none,
    body: () => ({ email: `anyone-${randomBytes(4).toString('hex')}@example.test` }),
  },
  'POST /api/v1/privacy/optout/confirm': { params: freshOptOutCode, body: () => pendingOptOut },
  'GET /api/v1/workspaces/:ws/billing': { params: none },
  'PUT /api/v1/workspaces/:ws/billing/purge': { params: none, body: () => ({ enabled: null }) },
  // Public, and refused without Stripe's signature (test/billing covers signed deliveries).
  'POST /api/v1/billing/stripe/webhook': {
    params: none,
    body: () => ({ id: 'evt_unsigned' }),
    status: 400,
  },
  'POST /api/v1/workspaces/:ws/shred': {
    params: () => Promise.resolve({}),
    body: (w) => ({ confirm: w.name }),
    freshWorkspace: true,
  },
};

async function workspaceFor(
  fixture: Fixture,
  token: string | undefined,
  caller: { role: Role; named: NamedRole[] } | undefined,
): Promise<{ id: string; token: string | undefined }> {
  if (fixture.freshWorkspace !== true || caller === undefined) return { id: ws.id, token };
  const fresh = await newWorkspace(t);
  return { id: fresh.id, token: (await memberToken(t, fresh, caller.role, caller.named)).token };
}

async function workspaceName(id: string): Promise<string> {
  const principal = systemPrincipal(id, 'test', 'test');
  const row = await t.db.withTenant(principal, (tx) =>
    tx.selectFrom('workspaces').select('name').executeTakeFirstOrThrow(),
  );
  return row.name;
}

function isAllowed(access: Access, role: Role, named: readonly NamedRole[]): boolean {
  switch (access.kind) {
    case 'public':
    case 'token':
    case 'session':
      return true;
    case 'role':
      return hasAtLeast(role, access.role);
    case 'named_role':
      return access.anyOf.some((r) => named.includes(r));
  }
}

async function call(
  method: string,
  url: string,
  callerToken: string | undefined,
  caller?: { role: Role; named: NamedRole[]; email?: string },
) {
  const fixture = fixtures[`${method} ${url}`];
  if (fixture === undefined) throw new Error(`no fixture for ${method} ${url}`);
  const isSessionRoute = t.app.declaredRoutes.some(
    (r) => r.method === method && r.url === url && r.access.kind === 'session',
  );
  if (isSessionRoute) return callWithSession(method, url, fixture, caller?.email);
  const { id, token } = await workspaceFor(fixture, callerToken, caller);
  let path = url.replace(':ws', id);
  const params =
    fixture.callerParams !== undefined && token !== undefined
      ? await fixture.callerParams(token)
      : await fixture.params();
  for (const [name, value] of Object.entries(params)) path = path.replace(`:${name}`, value);
  path += (await fixture.query?.()) ?? '';
  const body =
    fixture.body === undefined ? undefined : fixture.body({ id, name: await workspaceName(id) });
  const headers =
    token === undefined
      ? {}
      : fixture.signedIn === true && caller?.email !== undefined
        ? (await signIn(t, caller.email)).write
        : bearer(token);
  return t.app.inject({
    method: method as 'GET',
    url: path,
    headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

/** A session route, as the caller signed in afresh (or with no session when `email` is undefined). */
async function callWithSession(
  method: string,
  url: string,
  fixture: Fixture,
  email: string | undefined,
) {
  const browser = email === undefined ? undefined : await signIn(t, email);
  let path = url;
  const params = {
    ...(await fixture.params()),
    ...(browser === undefined || email === undefined
      ? {}
      : await fixture.sessionParams?.(browser, email)),
  };
  for (const [name, value] of Object.entries(params)) path = path.replace(`:${name}`, value);
  const body = fixture.body?.({ id: ws.id, name: '' });
  return t.app.inject({
    method: method as 'GET',
    url: path,
    headers: browser?.write ?? {},
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

const callers: { role: Role; named: NamedRole[] }[] = [
  ...ROLES.map((role) => ({ role, named: [] })),
  { role: 'viewer', named: ['founder'] },
  { role: 'viewer', named: ['finance_lead'] },
];

describe('route access declarations', () => {
  it('has a fixture for every registered route, and only for registered routes', () => {
    const registered = t.app.declaredRoutes.map((r) => `${r.method} ${r.url}`).sort();
    expect(registered.length).toBeGreaterThanOrEqual(12);
    expect(registered).toEqual(Object.keys(fixtures).sort());
  });

  it('refuses to start when a route declares no access rule', async () => {
    const app = await buildServer(
      { db: t.db, keyring: t.keyring },
      { bodyLimit: 1024, logger: createLogger('silent') },
    );
    expect(() => app.get('/api/v1/undeclared', () => 'x')).toThrow(/declares no access rule/);
    await app.close();
  });

  it.each(callers)('enforces every route for $role $named', async ({ role, named }) => {
    const { token, userId } = await memberToken(t, ws, role, named);
    const email = await emailOf(userId);
    for (const route of t.app.declaredRoutes) {
      const res = await call(route.method, route.url, token, { role, named, email });
      const label = `${route.method} ${route.url} as ${role}`;
      const expected = fixtures[`${route.method} ${route.url}`]?.status;
      if (expected !== undefined) {
        expect(res.statusCode, `${label}: ${res.body}`).toBe(expected);
      } else if (isAllowed(route.access, role, named)) {
        expect(res.statusCode, label).toBeGreaterThanOrEqual(200);
        expect(res.statusCode, label).toBeLessThan(300);
      } else {
        expect(res.statusCode, label).toBe(403);
        expect(
          z.object({ error: z.object({ code: z.literal('forbidden') }) }).parse(res.json()),
        ).toBeTruthy();
      }
    }
  });

  it('answers 401 on every non-public route without a token', async () => {
    for (const route of t.app.declaredRoutes.filter((r) => r.access.kind !== 'public')) {
      const res = await call(route.method, route.url, undefined);
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    }
  });
});
