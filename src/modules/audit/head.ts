/**
 * The signed head an export ends with: the newest signed checkpoint of the
 * workspace (from `audit_checkpoints`), whose seq and hash are those of the
 * export's last event. With the audit public key, it proves offline that the
 * file is whole (nothing cut from its end) and that its events are the ones
 * Wardroom signed (a chain recomputed after an edit no longer ends in the
 * signed hash).
 *
 * In JSONL it is one line, `{"checkpoint":{tenant_id, seq, hash, signed_at,
 * key_id, signature}}`, which no event line can be (an event has no
 * `checkpoint` field). In CSV it is one row in the event columns whose
 * `actor_type` is `checkpoint`, an actor type no event can have:
 * tenant_id, seq and hash are the checkpoint's, `occurred_at` is its
 * signed_at, `actor_id` its key id, `action` `audit.checkpoint` and
 * `metadata` `{"signature": <base64>}`; the other cells are empty or `[]`/`{}`.
 */
import { AppError } from '../../base/errors.js';
import type { Checkpoint } from './checkpoints.js';
import type { AuditRecord } from './event.js';

/** The actor type (CSV) that marks the head row. */
export const HEAD_ACTOR_TYPE = 'checkpoint';

/** One entry of an export file, in file order. */
export type ExportEntry =
  | { readonly kind: 'event'; readonly event: AuditRecord }
  | { readonly kind: 'head'; readonly head: Checkpoint };

/** The JSONL line (without its newline) of a signed head. */
export function headJsonl(head: Checkpoint): string {
  return JSON.stringify({
    checkpoint: {
      tenant_id: head.tenant_id,
      seq: head.seq,
      hash: head.hash,
      signed_at: head.signed_at,
      key_id: head.key_id,
      signature: head.signature,
    },
  });
}

/** The head as a record in the event columns, for the CSV writer. */
export function headAsRecord(head: Checkpoint): AuditRecord {
  return {
    tenant_id: head.tenant_id,
    seq: head.seq,
    occurred_at: head.signed_at,
    actor_type: HEAD_ACTOR_TYPE,
    actor_id: head.key_id,
    actor_name: null,
    action: 'audit.checkpoint',
    targets: [],
    context: {},
    correlation_id: null,
    metadata: { signature: head.signature },
    prev_hash: '',
    hash: head.hash,
  };
}

/** True for a parsed JSONL value that is a head line. */
export function isHeadJsonl(value: unknown): value is { checkpoint: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, 'checkpoint')
  );
}

/** Reads the head back from a JSONL head line. */
export function headFromJsonl(value: { checkpoint: unknown }, where: string): Checkpoint {
  const extra = Object.keys(value).filter((k) => k !== 'checkpoint');
  if (extra.length > 0) {
    throw new AppError('validation_failed', `${where}: unknown field ${extra.join(', ')}`);
  }
  return asCheckpoint(value.checkpoint, where);
}

/** Reads the head back from the CSV row (already unescaped and read as a record). */
export function headFromRecord(record: AuditRecord, where: string): Checkpoint {
  return asCheckpoint(
    {
      tenant_id: record.tenant_id,
      seq: record.seq,
      hash: record.hash,
      signed_at: record.occurred_at,
      key_id: record.actor_id,
      signature: record.metadata['signature'],
    },
    where,
  );
}

const HEAD_FIELDS = ['tenant_id', 'seq', 'hash', 'signed_at', 'key_id', 'signature'] as const;

function asCheckpoint(value: unknown, where: string): Checkpoint {
  const bad = (why: string): never => {
    throw new AppError('validation_failed', `${where}: the signed head ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return bad('is not an object');
  const v = value as Record<string, unknown>;
  const extra = Object.keys(v).filter((k) => !(HEAD_FIELDS as readonly string[]).includes(k));
  if (extra.length > 0) bad(`has an unknown field ${extra.join(', ')}`);
  const seq = v['seq'];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) bad('has no valid seq');
  for (const field of HEAD_FIELDS) {
    if (field !== 'seq' && typeof v[field] !== 'string') bad(`has no ${field}`);
  }
  return v as unknown as Checkpoint;
}
