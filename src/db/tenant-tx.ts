/**
 * The only doors to the database for module code.
 *
 * `TenantTx` is a Kysely transaction branded with a symbol that exists only
 * as a type: nothing outside this folder can produce one, so a repository
 * function that takes `TenantTx` first cannot be handed the bare pool (that
 * is a compile error, proven in test/unit/access-types.test-d.ts). Cross-tenant work gets
 * a SystemTx (system-tx.ts), which reaches no table at all.
 */
import type { Transaction } from 'kysely';
import type { Principal } from './principal.js';
import type { DB } from './schema.js';

declare const tenantScope: unique symbol;

export type TenantTx = Transaction<DB> & { readonly [tenantScope]: Principal };

const principals = new WeakMap<object, Principal>();

/** Brands a transaction as tenant-scoped. Only db/database.ts calls this. */
export function brandTenantTx(trx: Transaction<DB>, principal: Principal): TenantTx {
  principals.set(trx, principal);
  return trx as TenantTx;
}

/** The principal a TenantTx was opened for. */
export function principalOf(tx: TenantTx): Principal {
  const principal = principals.get(tx);
  if (principal === undefined) throw new Error('transaction was not opened by withTenant()');
  return principal;
}
