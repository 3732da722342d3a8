/**
 * What a transaction writes about its principal into the audit log. A
 * person's name, IP address and user agent are personal data, and the log
 * is append-only and hash-chained, so they are written sealed under a key
 * of that person's (src/modules/audit/personal.ts): erasing the key erases
 * them without touching the chain. The db layer only carries the hook: a
 * database made without one writes none of a person's fields at all.
 */
import type { Principal } from './principal.js';
import type { TenantTx } from './tenant-tx.js';

/** The fields the audit triggers and recordEvent store, already in their stored form. */
export interface AuditPersonalFields {
  readonly actorName?: string;
  readonly ip?: string;
  readonly userAgent?: string;
}

export interface AuditPersonal {
  /** The principal's fields as they are to be stored (sealed), once per transaction. */
  seal(tx: TenantTx, principal: Principal): Promise<AuditPersonalFields> | AuditPersonalFields;
}

/**
 * Actors whose name would be a person's. Agents are named by their agent's
 * name and operators by the CLI command they ran: software, kept in clear.
 */
export function isPersonalName(principal: Principal): boolean {
  return principal.actorType === 'user' || principal.actorType === 'api_token';
}

/** Without a sealer: only the names of software actors; no person's name, IP or user agent. */
export function withoutPersonal(principal: Principal): AuditPersonalFields {
  return principal.actorName === undefined || isPersonalName(principal)
    ? {}
    : { actorName: principal.actorName };
}
