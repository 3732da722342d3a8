/**
 * The leak test's world: the real server with pino at `trace` writing into
 * memory, the CLI in process with its output and stderr logger captured,
 * and every response worth searching (errors, and all credential responses)
 * added to the corpus.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { buildServer } from '../../src/api/server.js';
import { createLogger } from '../../src/base/logger.js';
import { localKek } from '../../src/modules/crypto/index.js';
import { createKeyring, type Keyring } from '../../src/modules/keys/keyring.js';
import { connectAdmin, type Admin } from './admin.js';
import { captureStderr, corpus, memoryStream, type Corpus } from './log-capture.js';
import { rootKeyDir, testRoots } from './root-keys.js';

export interface Harness {
  readonly out: Corpus;
  readonly logLines: string[];
  readonly cliStderr: string[];
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly keyring: Keyring;
  readonly admin: Admin;
  /** The workspace and token HTTP calls use. */
  session: { ws: string; token: string };
  cli(importKey: string, ...args: string[]): Promise<void>;
  http(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object | string,
  ): Promise<LightMyRequestResponse>;
  /** Writes `lines` (ciphertexts only) to a file and runs `credentials import` on it. */
  importFile(importKey: string, lines: string[], ...args: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(masterKey: Buffer): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-logs-'));
  const out = corpus();
  const log = memoryStream();
  const cliStderr: string[] = [];
  const db = createDatabase({ appUrl: inject('appUrl'), poolMax: 4 });
  const keyring = createKeyring(localKek(masterKey), { roots: testRoots });
  const logger = createLogger('trace', log);
  const app = await buildServer({ db, keyring }, { bodyLimit: 1024 * 1024, logger });
  await app.ready();
  const admin = await connectAdmin();

  const h: Harness = {
    out,
    logLines: log.lines,
    cliStderr,
    app,
    db,
    keyring,
    admin,
    session: { ws: '', token: '' },
    async cli(importKey, ...args) {
      const io = {
        out: (l: string) => out.add('cli stdout', l),
        err: (l: string) => out.add('cli stderr', l),
      };
      const env = {
        DATABASE_URL: inject('adminUrl'),
        DATABASE_APP_URL: inject('appUrl'),
        DATABASE_JOBS_URL: inject('jobsUrl'),
        WARDROOM_DB_ROLE_PREFIX: inject('rolePrefix'),
        WARDROOM_MASTER_KEY: masterKey.toString('base64'),
        WARDROOM_DATA_DIR: dir,
        // The workspace key store the test's in-process keyrings share.
        WARDROOM_WORKSPACE_KEY_DIR: rootKeyDir,
        WARDROOM_IMPORT_KEY: importKey,
        LOG_LEVEL: 'trace',
      };
      try {
        await captureStderr(cliStderr, () =>
          buildProgram(env, io).parseAsync(['node', 'wardroom', ...args]),
        );
      } catch (error) {
        const text =
          error instanceof Error ? `${error.message} ${JSON.stringify(error)}` : String(error);
        out.add('cli error', text);
        throw error;
      }
    },
    async http(method, url, payload) {
      const res = await app.inject({
        method,
        url: `/api/v1/workspaces/${h.session.ws}${url}`,
        headers: {
          authorization: `Bearer ${h.session.token}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(payload === undefined ? {} : { payload }),
      });
      if (res.statusCode >= 400 || url.startsWith('/credentials')) {
        out.add(`response ${method} ${url}`, res.body);
      }
      return res;
    },
    async importFile(importKey, lines, ...args) {
      const file = path.join(dir, `${randomUUID()}.txt`);
      await writeFile(file, lines.join('\n'));
      await h.cli(
        importKey,
        'credentials',
        'import',
        '--workspace',
        h.session.ws,
        '--file',
        file,
        ...args,
      );
    },
    async close() {
      await app.close();
      await db.close();
      await admin.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}
