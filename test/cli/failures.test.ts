/**
 * Expected CLI failures name their cause: a port in use, a database that
 * cannot be reached, a missing file. And a command other than `start` or
 * `migrate`, run with no DATABASE_URL from a folder without Wardroom data,
 * refuses instead of creating a new, empty database (and key files).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { explainError } from '../../src/cli/errors.js';
import { buildProgram } from '../../src/cli/program.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-cli-failures-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `wardroom ...args` in process with exactly `env`; resolves with the printed error line. */
async function failure(args: string[], env: Record<string, string>): Promise<string> {
  const program = buildProgram(
    { LOG_LEVEL: 'silent', ...env },
    { out: () => undefined, err: () => undefined },
  );
  try {
    await program.parseAsync(['node', 'wardroom', ...args]);
  } catch (error) {
    const explained = explainError(error);
    return `error [${explained.code}]: ${explained.message}`;
  }
  throw new Error(`wardroom ${args.join(' ')} did not fail`);
}

const testDb = () => ({
  DATABASE_URL: inject('adminUrl'),
  DATABASE_APP_URL: inject('appUrl'),
  DATABASE_JOBS_URL: inject('jobsUrl'),
  WARDROOM_DB_ROLE_PREFIX: inject('rolePrefix'),
  WARDROOM_MASTER_KEY: randomBytes(32).toString('base64'),
  WARDROOM_DATA_DIR: path.join(dir, 'data'),
});

describe('CLI failures name their cause', () => {
  it('start on a port in use: the address and PORT, not internal', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const line = await failure(['start'], {
        ...testDb(),
        HOST: '127.0.0.1',
        PORT: String(port),
        WARDROOM_JOB_WORKER: 'off',
        WARDROOM_AUDIT_CHECKPOINT_INTERVAL: '0',
        WARDROOM_AUDIT_SEAL_INTERVAL_MS: '0',
      });
      expect(line).toMatch(/^error \[config_invalid\]: /);
      expect(line).toContain(`127.0.0.1:${port}`);
      expect(line).toContain('already in use');
      expect(line).toContain('PORT');
    } finally {
      busy.close();
    }
  });

  it('a database that refuses connections: the host and port, and DATABASE_URL', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const line = await failure(['keys', 'status'], {
      ...testDb(),
      DATABASE_URL: `postgres://nobody@127.0.0.1:${port}/wardroom`,
      DATABASE_APP_URL: `postgres://nobody@127.0.0.1:${port}/wardroom`,
    });
    expect(line).toMatch(/^error \[database_unavailable\]: /);
    expect(line).toContain(`127.0.0.1:${port}`);
    expect(line).toContain('connection refused');
    expect(line).toContain('DATABASE_URL');
  });

  it('a database host that does not resolve: the host name, and DATABASE_URL', async () => {
    const line = await failure(['migrate'], {
      ...testDb(),
      DATABASE_URL: 'postgres://nobody@no-such-host.invalid:5432/wardroom',
      // Off this machine without TLS is refused first (test/unit/db/tls.test.ts).
      WARDROOM_DB_ALLOW_INSECURE: 'true',
    });
    expect(line).toMatch(/^error \[database_unavailable\]: /);
    expect(line).toContain('no-such-host.invalid');
    expect(line).toContain('DATABASE_URL');
  });

  it('a missing --file: the file, not internal', async () => {
    const missing = path.join(dir, 'no-such-export.jsonl');
    const line = await failure(
      [
        'credentials',
        'import',
        '--workspace',
        randomUUID(),
        '--format',
        'fernet',
        '--kind',
        'webhook_api_key',
        '--provider',
        'custom',
        '--file',
        missing,
      ],
      { ...testDb(), WARDROOM_IMPORT_KEY: 'k' },
    );
    expect(line).toBe(`error [not_found]: No such file: ${missing}`);
  });
});

describe('the CLI never creates a new, empty database by accident', () => {
  it('refuses workspace and keys commands in a folder without Wardroom data, creating nothing', async () => {
    const empty = path.join(dir, 'elsewhere', '.wardroom');
    for (const args of [
      ['workspace', 'create', '--name', 'Oops', '--owner-email', 'o@oops.test'],
      ['keys', 'status'],
      ['db', 'url'],
    ]) {
      const line = await failure(args, { WARDROOM_DATA_DIR: empty });
      expect(line).toMatch(/^error \[config_invalid\]: /);
      expect(line).toContain(empty);
      expect(line).toContain('WARDROOM_DATA_DIR');
      expect(line).toContain('wardroom start');
    }
    await expect(readdir(path.join(dir, 'elsewhere'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
