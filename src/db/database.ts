/**
 * The pool and the two ways through it. Nothing outside db/ touches the pool:
 * modules get a TenantTx from withTenant() or a SystemTx from withSystem().
 *
 * Tenant context is set with set_config(..., true) and bound parameters, so
 * it lives exactly as long as the transaction and never leaks to the next
 * user of a pooled connection.
 */
import { Kysely, PostgresDialect, sql, WithSchemaPlugin, type Transaction } from 'kysely';
import pg from 'pg';
import { AppError } from '../errors.js';
import type { DB } from './schema.js';
import {
  brandSystemTx,
  brandTenantTx,
  type Principal,
  type SystemTx,
  type TenantTx,
} from './tenant-tx.js';

export interface Database {
  withTenant<T>(principal: Principal, fn: (tx: TenantTx) => Promise<T>): Promise<T>;
  withSystem<T>(reason: string, fn: (tx: SystemTx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  readonly appUrl: string;
  readonly poolMax: number;
  readonly onSystemAccess?: (reason: string) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createDatabase(options: DatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString: options.appUrl, max: options.poolMax });
  // An idle client's error (server restart) must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new WithSchemaPlugin('wardroom')],
  });

  async function setContext(trx: Transaction<DB>, values: Record<string, string>): Promise<void> {
    const assignments = Object.entries(values).map(
      ([key, value]) => sql`set_config(${key}, ${value}, true)`,
    );
    await sql`select ${sql.join(assignments)}`.execute(trx);
  }

  return {
    async withTenant(principal, fn) {
      if (!UUID.test(principal.tenantId)) {
        throw new AppError('not_found', 'Workspace not found');
      }
      return run(db, async (trx) => {
        await setContext(trx, {
          'wardroom.tenant_id': principal.tenantId,
          'wardroom.actor_type': principal.actorType,
          'wardroom.actor_id': principal.actorId,
          'wardroom.correlation_id': principal.correlationId,
          'wardroom.actor_name': principal.actorName ?? '',
          'wardroom.ip': principal.ip ?? '',
          'wardroom.user_agent': principal.userAgent?.slice(0, 512) ?? '',
        });
        return fn(brandTenantTx(trx, principal));
      });
    },
    async withSystem(reason, fn) {
      options.onSystemAccess?.(reason);
      return run(db, async (trx) => {
        await setContext(trx, {
          'wardroom.actor_type': 'system',
          'wardroom.actor_id': 'system',
          'wardroom.system_reason': reason,
        });
        return fn(brandSystemTx(trx));
      });
    },
    async ping() {
      await run(db, async (trx) => {
        await sql`select 1`.execute(trx);
      });
    },
    async close() {
      await db.destroy();
    },
  };
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
  if (code === 'ECONNREFUSED' || code.startsWith('08') || code === '57P01') {
    return new AppError('database_unavailable', 'The database is unavailable', { cause: error });
  }
  return error;
}
