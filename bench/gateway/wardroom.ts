/**
 * Entry point of the Wardroom leg's process (forked by bench/gateway/run.ts):
 * the real server from `createWardroom`, as `wardroom start` builds it, on
 * the bench database, its OpenAI upstream pointed at the bench's fake one.
 * Each bench workspace gets, through the HTTP API as an admin would set them
 * up: a BYOK `llm_api_key` credential, a monthly budget set far above what
 * the run spends, and the response cache turned on (every bench request is
 * distinct, so every call is a miss that still computes its key and stores
 * its answer). Audit is always on. Then one probe call: a 404 means the
 * OpenAI-compatible route is not in this build, and the leg is skipped with
 * that reason.
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

/** One workspace set up as an admin would: key, budget, cache. Returns what is not available. */
async function setUp(
  wardroom: Wardroom,
  base: string,
  index: number,
): Promise<{ request: LegRequest; missing: string[] }> {
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
  if (budget.status === 404) missing.push('budgets (no /llm/budgets route in this build)');
  else if (budget.status !== 201)
    throw new Error(`setting the budget: ${budget.status} ${budget.text}`);
  const cache = await call(
    base,
    created.token,
    'PUT',
    `${ws}/llm/cache`,
    JSON.stringify({ enabled: true }),
  );
  if (cache.status === 404) missing.push('response cache (no /llm/cache route in this build)');
  else if (cache.status !== 200)
    throw new Error(`enabling the cache: ${cache.status} ${cache.text}`);
  return {
    request: {
      path: `${ws}/llm/v1/chat/completions`,
      headers: { authorization: `Bearer ${created.token}`, 'content-type': 'application/json' },
    },
    missing,
  };
}

async function probe(base: string, request: LegRequest, model: string): Promise<Answer> {
  const res = await fetch(`${base}${request.path}`, {
    method: 'POST',
    headers: request.headers,
    body: chatBody(model, false, `probe-${randomBytes(6).toString('hex')}`),
  });
  return { status: res.status, text: await res.text() };
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
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void (wardroom?.close() ?? Promise.resolve())
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
    const requests: LegRequest[] = [];
    const missing = new Set<string>();
    for (let i = 0; i < init.workspaces; i += 1) {
      const set = await setUp(wardroom, base, i);
      requests.push(set.request);
      for (const m of set.missing) missing.add(m);
    }
    const answer = await probe(base, requests[0]!, init.model);
    if (answer.status === 404) {
      send({
        type: 'skip',
        reason:
          'POST /api/v1/workspaces/{ws}/llm/v1/chat/completions answered 404: the ' +
          'OpenAI-compatible gateway route is not in this build',
      });
      return;
    }
    if (answer.status !== 200) {
      throw new Error(`the probe call answered ${answer.status}: ${answer.text.slice(0, 500)}`);
    }
    const notes = [
      `${init.workspaces} workspaces, each with a BYOK OpenAI key`,
      missing.has('budgets (no /llm/budgets route in this build)')
        ? 'budgets: NOT in this build'
        : 'budgets: a monthly workspace budget, set high',
      missing.has('response cache (no /llm/cache route in this build)')
        ? 'cache: NOT in this build'
        : `cache: on, every request distinct (misses), ${init.redisUrl === undefined ? 'in-process' : 'Redis'}`,
      'routing: region us; audit: two-phase events per call',
    ];
    send({ type: 'ready', port, requests, notes });
  } catch (error) {
    send({
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    stop(1);
  }
}

void main();
