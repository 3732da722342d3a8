/**
 * Runs the `wardroom` CLI in process against the run's test database, with
 * captured output: the same command tree as the executable, its own
 * environment, no child process.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { startTestApp, type TestApp } from './app.js';
import { rootKeyDir } from './root-keys.js';

export interface CliRun {
  readonly out: string[];
  readonly err: string[];
}

export function cliRunner(options: { masterKey: string; dataDir: string }) {
  return async (
    args: readonly string[],
    extraEnv: Record<string, string> = {},
    out: string[] = [],
    err: string[] = [],
  ): Promise<CliRun> => {
    const env = {
      DATABASE_URL: inject('adminUrl'),
      WARDROOM_DB_ROLE_PREFIX: inject('rolePrefix'),
      WARDROOM_MASTER_KEY: options.masterKey,
      WARDROOM_DATA_DIR: options.dataDir,
      // The workspace key store the test's in-process keyrings share.
      WARDROOM_WORKSPACE_KEY_DIR: rootKeyDir,
      DATABASE_APP_URL: inject('appUrl'),
      DATABASE_JOBS_URL: inject('jobsUrl'),
      LOG_LEVEL: 'silent',
      ...extraEnv,
    };
    await buildProgram(env, { out: (l) => out.push(l), err: (l) => err.push(l) }).parseAsync([
      'node',
      'wardroom',
      ...args,
    ]);
    return { out, err };
  };
}

export interface CliHarness {
  /** Runs `wardroom ...args` with the harness's master key and data directory. */
  readonly run: (...args: string[]) => Promise<CliRun>;
  /** Like run, but resolves when the command fails too, with its error and what it printed. */
  readonly attempt: (...args: string[]) => Promise<CliRun & { readonly error: unknown }>;
  /** The in-process server sharing the CLI's database and master key. */
  readonly app: () => TestApp;
  /** The CLI's temporary data directory (removed after the file's tests). */
  readonly dataDir: () => string;
}

/**
 * For a test file: a server and the CLI sharing one random master key and a
 * temporary data directory, started before the file's tests and cleaned up
 * after them.
 */
export function cliHarness(dirPrefix: string): CliHarness {
  const masterKey = randomBytes(32).toString('base64');
  let dataDir = '';
  let app: TestApp | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), dirPrefix));
    app = await startTestApp({ masterKey: Buffer.from(masterKey, 'base64') });
  });
  afterAll(async () => {
    await app?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    run: (...args) => cliRunner({ masterKey, dataDir })(args),
    attempt: async (...args) => {
      const out: string[] = [];
      const err: string[] = [];
      try {
        await cliRunner({ masterKey, dataDir })(args, {}, out, err);
        return { out, err, error: undefined };
      } catch (error) {
        return { out, err, error };
      }
    },
    app: () => {
      if (app === undefined) throw new Error('cliHarness: the server starts in beforeAll');
      return app;
    },
    dataDir: () => dataDir,
  };
}
