/**
 * The audit event as it is hashed, exported and verified. The database
 * computes each hash as it chains events (sql/audit_seal_workspace.sql, with
 * sql/audit_canonical.sql);
 * this file recomputes the same bytes outside it: RFC 8785 canonical JSON of
 * the event (which includes the previous hash), SHA-256.
 */
import { hash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { canonicalJson } from '../crypto/index.js';

export const GENESIS_HASH = '0'.repeat(64);

/** One event with every field that is hashed, plus its hash; the export row. */
export interface AuditRecord {
  readonly tenant_id: string;
  readonly seq: number;
  /** UTC, microseconds: `YYYY-MM-DDTHH:MM:SS.ffffffZ` (exactly as hashed). */
  readonly occurred_at: string;
  readonly actor_type: string;
  readonly actor_id: string | null;
  readonly actor_name: string | null;
  readonly action: string;
  readonly targets: readonly { readonly type: string; readonly id: string | null }[];
  readonly context: Readonly<Record<string, string>>;
  readonly correlation_id: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** hex */
  readonly prev_hash: string;
  /** hex */
  readonly hash: string;
}

export const AUDIT_COLUMNS = [
  'tenant_id',
  'seq',
  'occurred_at',
  'actor_type',
  'actor_id',
  'actor_name',
  'action',
  'targets',
  'context',
  'correlation_id',
  'metadata',
  'prev_hash',
  'hash',
] as const;

/** SQL selecting an audit_log row (alias `a`) in AuditRecord form. */
export function auditRecordSelect(): RawBuilder<AuditRecord> {
  return sql<AuditRecord>`json_build_object(
    'tenant_id', a.tenant_id, 'seq', a.seq,
    'occurred_at', to_char(a.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'actor_type', a.actor_type, 'actor_id', a.actor_id, 'actor_name', a.actor_name,
    'action', a.action, 'targets', a.targets, 'context', a.context,
    'correlation_id', a.correlation_id, 'metadata', a.metadata,
    'prev_hash', encode(a.prev_hash, 'hex'), 'hash', encode(a.hash, 'hex'))`;
}

/**
 * The canonical bytes that are hashed (mirrors wardroom.audit_canonical in
 * SQL): RFC 8785 of the event, with the fixed outer keys written out in
 * canonical order (JSON.stringify escapes strings exactly as RFC 8785 does)
 * and the free-form parts canonicalized by the library. Written out because
 * verification runs over millions of events.
 */
export function canonicalEvent(e: AuditRecord): string {
  const q = JSON.stringify;
  return (
    `{"action":${q(e.action)},"actor":{"id":${q(e.actor_id)},"name":${q(e.actor_name)},` +
    `"type":${q(e.actor_type)}},"context":${canonicalJson(e.context)},` +
    `"correlation_id":${q(e.correlation_id)},"metadata":${canonicalJson(e.metadata)},` +
    `"occurred_at":${q(e.occurred_at)},"prev_hash":${q(e.prev_hash)},"seq":${q(e.seq)},` +
    `"targets":${canonicalJson(e.targets)},"tenant_id":${q(e.tenant_id)},"v":1}`
  );
}

export function eventHash(e: AuditRecord): string {
  // One-shot hashing: measurably faster than createHash() per event.
  return hash('sha256', canonicalEvent(e), 'hex');
}
