/**
 * A key replaced or revoked through one server process is what another
 * server process's gateway uses on its very next call (issue 12, section 2:
 * "test with two processes"). Two `wardroom start` child processes share one
 * database, master key and workspace key folder, as two instances behind a
 * load balancer would; the LLM upstream is the test's fake, which checks the
 * key of every request it receives. Nothing is cached between processes: the
 * gateway reads and opens the key at every call.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/databases.js';
import { startFakeLlmUpstream, type FakeLlmUpstream } from '../support/fake-llm-upstream.js';
import { repoRoot, startWardroom, type WardroomProcess } from '../support/wardroom-process.js';
import { testKey } from './helpers.js';

const run = promisify(execFile);

let tdb: TestDatabase | undefined;
let dir: string;
let fake: FakeLlmUpstream;
let started: WardroomProcess[] = [];
let env: Record<string, string>;
let a: WardroomProcess;
let b: WardroomProcess;
let ws = '';
let token = '';
const key = testKey();

beforeAll(async () => {
  const created0 = await createTestDatabase(inject('clusterUrl'));
  tdb = created0;
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-two-processes-'));
  fake = await startFakeLlmUpstream(key);
  env = {
    NODE_ENV: 'development',
    DATABASE_URL: created0.adminUrl,
    DATABASE_APP_URL: created0.appUrl,
    DATABASE_JOBS_URL: created0.jobsUrl,
    WARDROOM_DB_ROLE_PREFIX: created0.rolePrefix,
    WARDROOM_MASTER_KEY: randomBytes(32).toString('base64'),
    WARDROOM_AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
    WARDROOM_AUTH_SECRET: randomBytes(32).toString('base64'),
    WARDROOM_WORKSPACE_KEY_DIR: path.join(dir, 'workspace-keys'),
    WARDROOM_OPENAI_BASE_URL: fake.openaiBaseUrl,
    WARDROOM_ANTHROPIC_BASE_URL: fake.anthropicBaseUrl,
    WARDROOM_LLM_MAX_ATTEMPTS: '1',
    LOG_LEVEL: 'silent',
  };
  a = await startWardroom({ ...env, WARDROOM_DATA_DIR: path.join(dir, 'a') });
  started = [a];
  b = await startWardroom({ ...env, WARDROOM_DATA_DIR: path.join(dir, 'b') });
  started = [a, b];
  const created = await run(
    process.execPath,
    [
      ...['--import', 'tsx', 'src/cli/main.ts', 'workspace', 'create', '--name', 'Two'],
      ...['--region', 'us', '--owner-email', 'owner@example.test', '--json'],
    ],
    { cwd: repoRoot, env: { ...env, PATH: process.env['PATH'] ?? '', WARDROOM_DATA_DIR: dir } },
  );
  const line = created.stdout.split('\n').find((l) => l.startsWith('{')) ?? '';
  ({ workspace_id: ws, token } = JSON.parse(line) as { workspace_id: string; token: string });
}, 120_000);

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
  await fake.close();
  if (tdb !== undefined) await dropTestDatabase(inject('clusterUrl'), tdb);
  await rm(dir, { recursive: true, force: true });
});

async function api(
  server: WardroomProcess,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/api/v1/workspaces/${ws}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** One chat completion through `server`'s gateway: its status, and the key the upstream saw. */
async function ask(server: WardroomProcess): Promise<{ status: number; sentKey: string | null }> {
  const before = fake.requests.length;
  const res = await api(server, 'POST', '/llm/v1/chat/completions', {
    model: 'gpt-4o-mini',
    max_completion_tokens: 16,
    messages: [{ role: 'user', content: 'Which key?' }],
  });
  const sent = fake.requests.slice(before);
  const auth = sent[0]?.headers['authorization'];
  return { status: res.status, sentKey: typeof auth === 'string' ? auth.slice(7) : null };
}

describe('keys across two server processes', () => {
  it('uses a key added, replaced and revoked through the other process on its next call', async () => {
    // No key yet: B answers from the offline provider and sends nothing.
    expect(await ask(b)).toEqual({ status: 200, sentKey: null });

    const added = await api(a, 'POST', '/credentials', {
      kind: 'llm_api_key',
      provider: 'openai',
      label: 'Our key',
      secret: { value: key },
    });
    expect(added.status, JSON.stringify(added.json)).toBe(201);
    const id = String(added.json['id']);
    expect(await ask(b)).toEqual({ status: 200, sentKey: key });

    // Replaced through A: B's next call carries the new value (the fake refuses it: 401 upstream).
    const replacement = testKey();
    const replaced = await api(a, 'PUT', `/credentials/${id}`, { secret: { value: replacement } });
    expect(replaced.status, JSON.stringify(replaced.json)).toBeLessThan(300);
    const afterReplace = await ask(b);
    expect(afterReplace.sentKey).toBe(replacement);
    expect(afterReplace.status).not.toBe(200);

    // Replaced back, then revoked through A: B stops sending it at once.
    await api(a, 'PUT', `/credentials/${id}`, { secret: { value: key } });
    expect(await ask(b)).toEqual({ status: 200, sentKey: key });
    expect((await api(a, 'DELETE', `/credentials/${id}`)).status).toBeLessThan(300);
    expect(await ask(b)).toEqual({ status: 200, sentKey: null });
    // The fake's one complaint is the replacement key it was not told to accept.
    expect(fake.problems).toEqual(['/v1/chat/completions: Authorization is not Bearer <key>']);
  });
});
