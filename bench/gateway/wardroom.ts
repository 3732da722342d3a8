/**
 * Entry point of the Wardroom leg's process (forked by bench/gateway/run.ts):
 * the real server from `createWardroom`, as `wardroom start` builds it, on
 * the bench database, its OpenAI upstream pointed at the bench's fake one.
 * Each bench workspace gets, through the HTTP API as an admin would set them
 * up: a BYOK `llm_api_key` credential, a monthly budget set far above what
 * the run spends, and the response cache turned on (every bench request is
 * distinct, so every measured call is a miss that still computes its key and
 * stores its answer). Then two calls with the same body, and what the
 * gateway applied to them is read back (the audit's outcome events, the
 * second a cache hit; the budget's spend): the notes printed with the
 * results say what was checked, or what this build lacks or does not wire.
 * A 404 from the call means the OpenAI-compatible route is not in this
 * build, and the leg is skipped with that reason.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createWardroom, type Wardroom } from '../../src/app.js';
import { loadConfig } from '../../src/base/config.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { createWorkspace } from '../../src/modules/tenancy/create-workspace.js';
import { recordCall, startSameSql, type CallPlan } from './same-sql.js';
import {
  chatBody,
  WARDROOM_INIT_ENV,
  type LegRequest,
  type WardroomInit,
  type WardroomMessage,
} from './protocol.js';

/** Far above anything a bench run spends: 100,000 USD a month. */
const BUDGET_MICROS = 100_000 * 1_000_000;

function send(message: WardroomMessage): void {
  process.send?.(message);
}

function environment(init: WardroomInit, dataDir: string): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'development',
    DATABASE_URL: init.adminUrl,
    DATABASE_APP_URL: init.appUrl,
    DATABASE_JOBS_URL: init.jobsUrl,
    WARDROOM_DB_ROLE_PREFIX: init.rolePrefix,
    WARDROOM_DATA_DIR: dataDir,
    WARDROOM_MASTER_KEY: randomBytes(32).toString('base64'),
    WARDROOM_AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
    WARDROOM_AUTH_SECRET: randomBytes(32).toString('base64'),
    WARDROOM_OPENAI_BASE_URL: init.openaiBaseUrl,
    // The bench measures the gateway, not the per-workspace request limiter.
    WARDROOM_RATE_LIMIT_PER_MINUTE: '0',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: init.logLevel,
    ...(init.redisUrl === undefined ? {} : { REDIS_URL: init.redisUrl }),
  };
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

async function call(
  base: string,
  token: string,
  method: 'POST' | 'PUT',
  url: string,
  body: string,
): Promise<Answer> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, text: await res.text() };
}

interface SetUp {
  readonly workspaceId: string;
  readonly token: string;
  readonly request: LegRequest;
  /** Parts this build has no route for: 'budgets', 'cache'. */
  readonly missing: readonly string[];
}

/** One workspace set up as an admin would: key, budget, cache. */
async function setUp(wardroom: Wardroom, base: string, index: number): Promise<SetUp> {
  const created = await createWorkspace(
    wardroom.db,
    wardroom.keyring,
    {
      name: `Gateway bench ${index}`,
      region: 'us',
      ownerEmail: `gw-bench-${randomBytes(6).toString('hex')}@example.test`,
    },
    (id) => systemPrincipal(id, 'bench'),
  );
  const ws = `/api/v1/workspaces/${created.workspaceId}`;
  const post = (url: string, body: object) =>
    call(base, created.token, 'POST', `${ws}${url}`, JSON.stringify(body));
  const key = await post('/credentials', {
    kind: 'llm_api_key',
    provider: 'openai',
    label: 'Bench OpenAI key',
    secret: { value: `sk-bench-${randomBytes(16).toString('hex')}` },
  });
  if (key.status !== 201) throw new Error(`adding the LLM key: ${key.status} ${key.text}`);
  const missing: string[] = [];
  const budget = await post('/llm/budgets', {
    scope: 'workspace',
    period: 'month',
    hard_limit_micros: BUDGET_MICROS,
  });
  if (budget.status === 404) missing.push('budgets');
  else if (budget.status !== 201)
    throw new Error(`setting the budget: ${budget.status} ${budget.text}`);
  const cache = await call(
    base,
    created.token,
    'PUT',
    `${ws}/llm/cache`,
    JSON.stringify({ enabled: true }),
  );
  if (cache.status === 404) missing.push('cache');
  else if (cache.status !== 200)
    throw new Error(`enabling the cache: ${cache.status} ${cache.text}`);
  return {
    request: {
      path: `${ws}/llm/v1/chat/completions`,
      headers: { authorization: `Bearer ${created.token}`, 'content-type': 'application/json' },
    },
    missing,
    workspaceId: created.workspaceId,
    token: created.token,
  };
}

async function probe(base: string, request: LegRequest, body: string): Promise<Answer> {
  const res = await fetch(`${base}${request.path}`, {
    method: 'POST',
    headers: request.headers,
    body,
  });
  return { status: res.status, text: await res.text() };
}

async function read(base: string, token: string, url: string): Promise<unknown> {
  const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token}` } });
  return res.ok ? res.json() : undefined;
}

const itemsOf = (page: unknown): Record<string, unknown>[] =>
  typeof page === 'object' && page !== null && 'items' in page && Array.isArray(page.items)
    ? (page.items as Record<string, unknown>[])
    : [];

/**
 * What the gateway really applied to two calls with the same body, read
 * back through the API: the audit's outcome events (one per call, the second
 * a cache hit if the cache is in the call path) and the budget's spend.
 * Settings that exist but that this build's gateway does not consult are
 * said so, rather than claimed.
 */
async function applied(
  wardroom: Wardroom,
  base: string,
  workspace: SetUp,
  model: string,
): Promise<{ notes: string[] } | { skip: string }> {
  const body = chatBody(model, false, `probe-${randomBytes(6).toString('hex')}`);
  for (let i = 0; i < 2; i += 1) {
    // The first answer is stored once its call has closed, just after the answer.
    await wardroom.gateway.idle();
    const answer = await probe(base, workspace.request, body);
    if (answer.status === 404) {
      return {
        skip:
          'POST /api/v1/workspaces/{ws}/llm/v1/chat/completions answered 404: the ' +
          'OpenAI-compatible gateway route is not in this build',
      };
    }
    if (answer.status !== 200) {
      throw new Error(`the probe call answered ${answer.status}: ${answer.text.slice(0, 500)}`);
    }
  }
  await wardroom.gateway.idle();
  const ws = `/api/v1/workspaces/${workspace.workspaceId}`;
  const outcomes = itemsOf(
    await read(base, workspace.token, `${ws}/activity?action=llm.call.outcome&limit=10`),
  );
  const hits = outcomes.filter(
    (e) => (e['metadata'] as Record<string, unknown>)['cache_hit'] === true,
  );
  const notes = [
    outcomes.length >= 2
      ? `audit: an outcome event per call (checked)`
      : `audit: ${outcomes.length} outcome events for 2 calls`,
  ];
  if (workspace.missing.includes('cache')) notes.push('cache: NOT in this build');
  else if (hits.length > 0)
    notes.push('cache: on, a repeated call was a hit (checked); the load is all misses');
  else
    notes.push(
      'cache: on in settings, but the gateway did not serve a repeat from it (not wired in this build)',
    );
  if (workspace.missing.includes('budgets')) notes.push('budgets: NOT in this build');
  else {
    const budgets = itemsOf(await read(base, workspace.token, `${ws}/llm/budgets`));
    const spent = budgets.some(
      (b) => Number(b['spent_micros']) > 0 || Number(b['settled_micros']) > 0,
    );
    notes.push(
      spent
        ? 'budgets: a monthly workspace budget set high, the calls counted against it (checked)'
        : 'budgets: set, but the gateway did not count the calls (not wired in this build)',
    );
  }
  return { notes };
}

/** One call per workspace, recorded statement by statement for the same-SQL reference. */
async function recordPlans(
  wardroom: Wardroom,
  base: string,
  workspaces: readonly SetUp[],
  model: string,
): Promise<Map<string, CallPlan>> {
  const plans = new Map<string, CallPlan>();
  for (const w of workspaces) {
    await wardroom.gateway.idle();
    const plan = await recordCall(async () => {
      const body = chatBody(model, false, `record-${randomBytes(6).toString('hex')}`);
      const res = await fetch(`${base}${w.request.path}`, {
        method: 'POST',
        headers: w.request.headers,
        body,
      });
      await res.text();
      await wardroom.gateway.idle();
      return res.headers.get('x-wardroom-call-id') ?? '';
    });
    plans.set(w.workspaceId, plan);
  }
  return plans;
}

async function start(init: WardroomInit, dataDir: string): Promise<Wardroom> {
  const config = loadConfig(environment(init, dataDir));
  // The bench database is migrated already (test/support/databases.ts).
  return createWardroom(config, { migrate: false });
}

async function main(): Promise<void> {
  const init = JSON.parse(process.env[WARDROOM_INIT_ENV] ?? '') as WardroomInit;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'wardroom-gw-bench-'));
  let wardroom: Wardroom | undefined;
  let closeSameSql = (): Promise<void> => Promise.resolve();
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void closeSameSql()
      .then(() => wardroom?.close())
      .then(() => fs.rm(dataDir, { recursive: true, force: true }))
      .finally(() => process.exit(code));
  };
  process.on('message', (message) => {
    if (message === 'stop') stop(0);
  });
  process.once('disconnect', () => stop(0));
  try {
    wardroom = await start(init, dataDir);
    await wardroom.server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = wardroom.server.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const workspaces: SetUp[] = [];
    for (let i = 0; i < init.workspaces; i += 1) workspaces.push(await setUp(wardroom, base, i));
    const checked = await applied(wardroom, base, workspaces[0]!, init.model);
    if ('skip' in checked) {
      send({ type: 'skip', reason: checked.skip });
      return;
    }
    const requests = workspaces.map((w) => w.request);
    const notes = [
      `${init.workspaces} workspaces (region us, routed to the upstream), each with a BYOK OpenAI key`,
      ...checked.notes,
      init.redisUrl === undefined ? 'cache and limits in-process' : 'cache and limits in Redis',
    ];
    const sameSql = await startSameSql({
      appUrl: init.appUrl,
      poolMax: wardroom.config.poolMax,
      plans: await recordPlans(wardroom, base, workspaces, init.model),
      upstreamUrl: `${init.openaiBaseUrl}/chat/completions`,
    });
    closeSameSql = () => sameSql.close();
    send({ type: 'ready', port, requests, notes, sameSqlPort: sameSql.port });
  } catch (error) {
    send({
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    stop(1);
  }
}

void main();
