/**
 * The gateway as `createWardroom` composes it (src/start-gateway.ts): the
 * real budget guard and the real response cache are in the call path of the
 * compatible endpoints, driven by the official OpenAI SDK. A repeated prompt
 * in a workspace whose cache is on is answered without reaching the
 * upstream and audited as a hit; the same prompt in another workspace is
 * not; a workspace budget too small for the worst case refuses the call
 * with 402 budget_exceeded before anything is sent; a per-minute request
 * limit answers 429 with Retry-After.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWardroom, type Wardroom } from '../../src/app.js';
import { loadConfig } from '../../src/base/config.js';
import { createLogger } from '../../src/base/logger.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { createWorkspace } from '../../src/modules/tenancy/create-workspace.js';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/databases.js';
import {
  FAKE_TEXT,
  startFakeLlmUpstream,
  type FakeLlmUpstream,
} from '../support/fake-llm-upstream.js';
import { testKey, thrown } from './helpers.js';

let tdb: TestDatabase;
let dir: string;
let w: Wardroom;
let fake: FakeLlmUpstream;
let url: string;
const key = testKey();

interface Ws {
  readonly id: string;
  readonly token: string;
}

async function workspace(): Promise<Ws> {
  const created = await createWorkspace(
    w.db,
    w.keyring,
    { name: 'Gateway', region: 'us', ownerEmail: `gw-${randomBytes(4).toString('hex')}@x.test` },
    (id) => systemPrincipal(id, 'test'),
  );
  const ws = { id: created.workspaceId, token: created.token };
  await api(ws, 'POST', '/credentials', {
    kind: 'llm_api_key',
    provider: 'openai',
    label: 'customer key',
    secret: { value: key },
  });
  return ws;
}

async function api(ws: Ws, method: string, route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}/api/v1/workspaces/${ws.id}${route}`, {
    method,
    headers: { authorization: `Bearer ${ws.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

const client = (ws: Ws) =>
  new OpenAI({
    apiKey: ws.token,
    baseURL: `${url}/api/v1/workspaces/${ws.id}/llm/v1`,
    maxRetries: 0,
  });

const ask = (ws: Ws, prompt: string) =>
  client(ws).chat.completions.create({
    model: 'gpt-4o-mini',
    max_completion_tokens: 64,
    messages: [{ role: 'user', content: prompt }],
  });

async function outcomes(ws: Ws): Promise<Record<string, unknown>[]> {
  await w.gateway.idle(); // each outcome follows its answer
  const rows = await w.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
    tx
      .selectFrom('audit_log')
      .select('metadata')
      .where('action', '=', 'llm.call.outcome')
      .orderBy('id')
      .execute(),
  );
  return rows.map((r) => r.metadata);
}

beforeAll(async () => {
  tdb = await createTestDatabase(inject('clusterUrl'));
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-gateway-composition-'));
  fake = await startFakeLlmUpstream(key);
  const config = loadConfig({
    DATABASE_URL: tdb.adminUrl,
    DATABASE_APP_URL: tdb.appUrl,
    DATABASE_JOBS_URL: tdb.jobsUrl,
    WARDROOM_DB_ROLE_PREFIX: tdb.rolePrefix,
    WARDROOM_MASTER_KEY: randomBytes(32).toString('base64'),
    WARDROOM_DATA_DIR: dir,
    WARDROOM_OPENAI_BASE_URL: fake.openaiBaseUrl,
    WARDROOM_ANTHROPIC_BASE_URL: fake.anthropicBaseUrl,
    WARDROOM_LLM_MAX_ATTEMPTS: '1',
  });
  w = await createWardroom(config, { logger: createLogger('silent'), background: false });
  url = await w.server.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await w.close();
  await fake.close();
  await dropTestDatabase(inject('clusterUrl'), tdb);
  await rm(dir, { recursive: true, force: true });
});

describe('the composed gateway', () => {
  it('serves a repeated prompt from the workspace cache, audited as a hit, and never across workspaces', async () => {
    const a = await workspace();
    const b = await workspace();
    await api(a, 'PUT', '/llm/cache', { enabled: true });
    await api(b, 'PUT', '/llm/cache', { enabled: true });
    const prompt = `Summarize the board minutes ${randomBytes(6).toString('hex')}`;
    const before = fake.requests.length;

    const first = await ask(a, prompt);
    await w.gateway.idle(); // the answer is stored once its call has closed
    const second = await ask(a, prompt);
    expect(first.choices[0]?.message.content).toBe(FAKE_TEXT);
    expect(second.choices[0]?.message.content).toBe(FAKE_TEXT);
    expect(fake.requests.length).toBe(before + 1);
    expect((await outcomes(a)).map((o) => o['cache_hit'])).toEqual([false, true]);

    // The same prompt in workspace B goes upstream: B has its own salt and entries.
    await ask(b, prompt);
    expect(fake.requests.length).toBe(before + 2);
    expect((await outcomes(b)).map((o) => o['cache_hit'])).toEqual([false]);
  });

  it('refuses a call over the workspace budget with 402 before anything is sent', async () => {
    const ws = await workspace();
    await api(ws, 'POST', '/llm/budgets', {
      scope: 'workspace',
      period: 'day',
      hard_limit_micros: 1,
    });
    const before = fake.requests.length;
    const error = await thrown(ask(ws, 'Anything at all'));
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(402);
    expect((apiError.error as { code?: string }).code).toBe('budget_exceeded');
    expect(fake.requests.length).toBe(before);
    const [outcome] = await outcomes(ws);
    // Refused with the intent's transaction: no intent, so the outcome says refused.
    expect(outcome).toMatchObject({ outcome: 'refused', error_code: 'budget_exceeded', cost: 0 });
  });

  it('answers 429 with Retry-After past the per-minute request limit', async () => {
    const ws = await workspace();
    await api(ws, 'PUT', '/llm/limits', { requests_per_minute: 1, tokens_per_minute: null });
    await ask(ws, 'The first call of the minute');
    const res = await fetch(`${url}/api/v1/workspaces/${ws.id}/llm/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ws.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'The second' }],
      }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });
});
