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
import type { AuditPersonal, AuditPersonalFields } from './audit-personal.js';
import type { Principal } from './principal.js';
import type { DB } from './schema.js';

declare const tenantScope: unique symbol;

export type TenantTx = Transaction<DB> & { readonly [tenantScope]: Principal };

interface Scope {
  readonly principal: Principal;
  personal: AuditPersonalFields;
  readonly sealer: AuditPersonal | undefined;
}

const scopes = new WeakMap<object, Scope>();

/** Brands a transaction as tenant-scoped. Only db/database.ts calls this. */
export function brandTenantTx(
  trx: Transaction<DB>,
  principal: Principal,
  sealer?: AuditPersonal,
): TenantTx {
  scopes.set(trx, { principal, personal: {}, sealer });
  return trx as TenantTx;
}

function scopeOf(tx: TenantTx): Scope {
  const scope = scopes.get(tx);
  if (scope === undefined) throw new Error('transaction was not opened by withTenant()');
  return scope;
}

/** The principal a TenantTx was opened for. */
export function principalOf(tx: TenantTx): Principal {
  return scopeOf(tx).principal;
}

/** Records the principal's audit fields in their stored form. Only db/database.ts calls this. */
export function setAuditPersonal(tx: TenantTx, personal: AuditPersonalFields): void {
  scopeOf(tx).personal = personal;
}

/** The principal's name, IP and user agent as this transaction's audit events store them. */
export function auditPersonalOf(tx: TenantTx): AuditPersonalFields {
  return scopeOf(tx).personal;
}

/** The database's sealer of personal audit fields (undefined: none, nothing personal is written). */
export function auditSealerOf(tx: TenantTx): AuditPersonal | undefined {
  return scopeOf(tx).sealer;
}
