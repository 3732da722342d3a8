/**
 * The pool and the two ways through it. Nothing outside db/ touches the pool:
 * modules get a TenantTx from withTenant() or a SystemTx from withSystem().
 *
 * Tenant context is set with set_config(..., true) and bound parameters, so
 * it lives exactly as long as the transaction and never leaks to the next
 * user of a pooled connection.
 */
import { CompiledQuery, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { AppError } from '../base/errors.js';
import { isUuid } from '../base/uuid.js';
import { preparedPool } from './prepared-pool.js';
import { pgConnection } from './tls.js';
import { listenOn, type ChannelHandler, type ChannelListener } from './listen.js';
import type { DB } from './schema.js';
import { systemTx, type SystemTx } from './system-tx.js';
import { brandTenantTx, setAuditPersonal, type TenantTx } from './tenant-tx.js';
import { isIssued, type Principal } from './principal.js';
import { withoutPersonal, type AuditPersonal } from './audit-personal.js';

/**
 * Which pool a tenant transaction runs on: `request` for ordinary work, or
 * `stream` for a long response (an export) that holds its transaction while
 * the client downloads. The stream pool is small and separate, so requests
 * never wait behind downloads.
 */
export type Lane = 'request' | 'stream';

export interface Database {
  withTenant<T>(principal: Principal, fn: (tx: TenantTx) => Promise<T>, lane?: Lane): Promise<T>;
  withSystem<T>(reason: string, fn: (tx: SystemTx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  /**
   * LISTENs on a channel over a dedicated connection (kept open and
   * re-opened after failures) until the returned function is called or the
   * database is closed. Resolves after the first attempt to connect, even a
   * failed one (the handler's `reconnected` runs once it gets through).
   * NOTIFY is sent with `select pg_notify(...)` inside a transaction, so it
   * is heard only if that transaction commits.
   */
  listen(channel: string, handler: ChannelHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type { ChannelHandler } from './listen.js';
export { parsePayload } from './listen.js';

export interface DatabaseOptions {
  readonly appUrl: string;
  readonly poolMax: number;
  /** Connections of the `stream` lane (default 2). */
  readonly streamSlots?: number;
  readonly onSystemAccess?: (reason: string) => void;
  /**
   * Seals each principal's name, IP and user agent before the audit log
   * stores them (src/modules/audit); without it none of them is stored.
   */
  readonly auditPersonal?: AuditPersonal;
}

/** Distinct SQL texts run as named prepared statements (see prepared-pool.ts). */
const PREPARED_STATEMENTS = 256;

export function createDatabase(options: DatabaseOptions): Database {
  const db = kysely(options.appUrl, options.poolMax);
  const streamDb = kysely(options.appUrl, options.streamSlots ?? 2);
  const listeners = new Set<ChannelListener>();

  return {
    withTenant(principal, fn, lane = 'request') {
      return runAsTenant(lane === 'stream' ? streamDb : db, principal, fn, options.auditPersonal);
    },
    withSystem(reason, fn) {
      return runAsSystem(db, reason, fn, options.onSystemAccess);
    },
    async ping() {
      await run(db, async (trx) => {
        await sql`select 1`.execute(trx);
      });
    },
    async listen(channel, handler) {
      const listener = listenOn(options.appUrl, channel, handler);
      listeners.add(listener);
      await listener.ready;
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    async close() {
      await Promise.all([...listeners].map((l) => l.stop()));
      listeners.clear();
      await Promise.all([db.destroy(), streamDb.destroy()]);
    },
  };
}

function kysely(appUrl: string, max: number): Kysely<DB> {
  return new Kysely<DB>({
    // The cursor lets queries stream (`.stream()`) in constant memory (audit exports).
    dialect: new PostgresDialect({
      pool: preparedPool(createPool(appUrl, max), { maxStatements: PREPARED_STATEMENTS }),
      cursor: Cursor,
    }),
  });
}

function createPool(appUrl: string, max: number): pg.Pool {
  // The schema is found through search_path (set when each connection opens)
  // rather than a query-rewriting plugin: cheaper on every query, and pg_temp
  // is named last so no temporary table can shadow a wardroom table.
  const pool = new pg.Pool({
    ...pgConnection(appUrl),
    max,
    options: '-c search_path=wardroom,pg_catalog,pg_temp',
  });
  // A connection the server drops (restart, shutdown) must not crash the
  // process: the pool handles idle clients; a client checked out between two
  // queries of a transaction emits 'error' too, and its next query fails
  // with a connection error that callers see (database_unavailable).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

/** withTenant(): a transaction whose context is the principal's tenant and actor. */
async function runAsTenant<T>(
  db: Kysely<DB>,
  principal: Principal,
  fn: (tx: TenantTx) => Promise<T>,
  sealer: AuditPersonal | undefined,
): Promise<T> {
  if (!isIssued(principal)) {
    throw new AppError(
      'internal',
      'withTenant() needs a principal made by a db/principal.ts factory',
    );
  }
  if (!isUuid(principal.tenantId)) {
    throw new AppError('not_found', 'Workspace not found');
  }
  return run(db, async (trx) => {
    const tx = brandTenantTx(trx, principal, sealer);
    // Sealed before the settings the audit triggers read: the log never sees them in clear.
    const personal =
      sealer === undefined ? withoutPersonal(principal) : await sealer.seal(tx, principal);
    setAuditPersonal(tx, personal);
    await setContext(trx, {
      'wardroom.tenant_id': principal.tenantId,
      'wardroom.actor_type': principal.actorType,
      'wardroom.actor_id': principal.actorId,
      'wardroom.correlation_id': principal.correlationId,
      'wardroom.actor_name': personal.actorName ?? '',
      'wardroom.ip': personal.ip ?? '',
      'wardroom.user_agent': personal.userAgent ?? '',
    });
    return fn(tx);
  });
}

/** withSystem(): a transaction with no tenant, its reason recorded. */
async function runAsSystem<T>(
  db: Kysely<DB>,
  reason: string,
  fn: (tx: SystemTx) => Promise<T>,
  onSystemAccess: ((reason: string) => void) | undefined,
): Promise<T> {
  onSystemAccess?.(reason);
  return run(db, async (trx) => {
    await setContext(trx, {
      'wardroom.actor_type': 'system',
      'wardroom.actor_id': 'system',
      'wardroom.system_reason': reason,
    });
    return fn(systemTx(trx, reason));
  });
}

/** The context statement's text for a set of keys, built once (the keys never vary per request). */
const contextTexts = new Map<string, string>();

function contextText(keys: readonly string[]): string {
  const id = keys.join('\0');
  let text = contextTexts.get(id);
  if (text === undefined) {
    const calls = keys.map(
      (_, i) => `set_config($${String(2 * i + 1)}, $${String(2 * i + 2)}, true)`,
    );
    text = `select ${calls.join(', ')}`;
    contextTexts.set(id, text);
  }
  return text;
}

/**
 * Sets transaction-local settings (set_config(..., true)) with bound
 * parameters, names and values alike. The text is compiled once per set of
 * names: this runs on every request.
 */
async function setContext(trx: Transaction<DB>, values: Record<string, string>): Promise<void> {
  const keys = Object.keys(values);
  const parameters: string[] = [];
  for (const key of keys) parameters.push(key, values[key] ?? '');
  await trx.executeQuery(CompiledQuery.raw(contextText(keys), parameters));
}

async function run<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(fn);
  } catch (error) {
    throw translatePgError(error);
  }
}

/** Maps connection failures to a stable code; everything else passes through. */
function translatePgError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  // node-postgres reports a connection it lost without a code.
  const lost =
    error instanceof Error &&
    /^(Connection terminated|Client has encountered a connection error)/.test(error.message);
  if (lost || code === 'ECONNREFUSED' || code.startsWith('08') || code === '57P01') {
    return new AppError('database_unavailable', 'The database is unavailable', { cause: error });
  }
  return error;
}
