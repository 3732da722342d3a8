/**
 * The Activity log: a workspace's audit events, newest first, filtered and
 * paged. Tenant scoping is RLS's job (no `where tenant_id = ?` here).
 *
 * Only chained events are listed: an event gets its seq (and its place in the
 * hash chain) when the chainer links it, shortly after its transaction
 * commits (sql/audit_seal_workspace.sql). A read chains the workspace's
 * pending events first, so an admin sees what was just committed.
 *
 * Pages are keyed by seq: a cursor is the last seq of the previous page and
 * the next page holds only smaller seqs. Events are only ever chained with
 * larger seqs than every chained one, so paging through never repeats or skips
 * an event, whatever is written meanwhile (including the `activity.read`
 * event each page records, which always lands above every seq listed).
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../db/tenant-tx.js';
import type { ActorType } from '../../db/principal.js';
import { decodeSeqCursor, encodeSeqCursor } from '../../db/cursor.js';
import { chainPending } from './checkpoints.js';
import { auditRecordSelect, type AuditRecord } from './event.js';
import { recordEvent } from './record.js';
import { openAuditRecords, type ReadableRecord } from './personal.js';

export interface ActivityFilters {
  readonly actor_type?: ActorType | undefined;
  readonly actor_id?: string | undefined;
  /** An exact action (`workroom.created`) or a prefix ending in `.*` (`workroom.*`). */
  readonly action?: string | undefined;
  /** Matches events with a target of this type (and id, when given). */
  readonly target_type?: string | undefined;
  readonly target_id?: string | undefined;
  /** Inclusive lower bound on occurred_at (ISO 8601 with offset). */
  readonly from?: string | undefined;
  /** Exclusive upper bound on occurred_at (ISO 8601 with offset). */
  readonly to?: string | undefined;
}

export interface ActivityQuery extends ActivityFilters {
  /** 1..200 */
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export interface ActivityPage<R extends AuditRecord = AuditRecord> {
  readonly items: R[];
  readonly next_cursor: string | null;
}

export async function listActivity(tx: TenantTx, query: ActivityQuery): Promise<ActivityPage> {
  const before = decodeSeqCursor(query.cursor);
  let q = tx
    .selectFrom('audit_log as a')
    .select(auditRecordSelect().as('record'))
    .where('a.seq', 'is not', null);
  if (query.actor_type !== undefined) q = q.where('a.actor_type', '=', query.actor_type);
  if (query.actor_id !== undefined) q = q.where('a.actor_id', '=', query.actor_id);
  if (query.action !== undefined) {
    const prefix = actionPrefix(query.action);
    // starts_with, not LIKE: `_` in action names is not a wildcard here.
    q =
      prefix === undefined
        ? q.where('a.action', '=', query.action)
        : q.where(sql<boolean>`starts_with(a.action, ${prefix})`);
  }
  if (query.target_type !== undefined) {
    const target = {
      type: query.target_type,
      ...(query.target_id === undefined ? {} : { id: query.target_id }),
    };
    q = q.where(sql<boolean>`a.targets @> ${JSON.stringify([target])}::jsonb`);
  }
  // Compared as timestamptz in the database, keeping microseconds a JS Date would drop.
  if (query.from !== undefined)
    q = q.where(sql<boolean>`a.occurred_at >= ${query.from}::timestamptz`);
  if (query.to !== undefined) q = q.where(sql<boolean>`a.occurred_at < ${query.to}::timestamptz`);
  if (before !== undefined) q = q.where('a.seq', '<', before);
  const rows = await q
    .orderBy('a.seq', 'desc')
    .limit(query.limit + 1)
    .execute();
  const items = rows.slice(0, query.limit).map((r) => r.record);
  const last = items.at(-1);
  return {
    items,
    next_cursor: rows.length > query.limit && last !== undefined ? encodeSeqCursor(last.seq) : null,
  };
}

/** `workroom.*` → `workroom.`; an exact action → undefined. */
function actionPrefix(action: string): string | undefined {
  return action.endsWith('.*') ? action.slice(0, -1) : undefined;
}

/**
 * Chains pending events, lists a page, and records the read as an
 * `activity.read` event in the same transaction. The event is written after
 * the query, so a page shows the log as it was when asked (not the read of
 * itself); the next read shows it. Its metadata holds the filters used
 * (strings), the limit, the cursor's seq (as text: a bigint) and how many
 * events were returned. Chaining takes the workspace's chain-head lock until
 * this (short) transaction ends.
 */
export async function readActivity(
  tx: TenantTx,
  query: ActivityQuery,
): Promise<ActivityPage<ReadableRecord>> {
  await chainPending(tx);
  const listed = await listActivity(tx, query);
  // The owner reads who did what: each person's fields opened, or `[erased]`.
  const page = { ...listed, items: await openAuditRecords(tx, listed.items) };
  const metadata: Record<string, string | number> = {};
  for (const key of FILTER_KEYS) {
    const value = query[key];
    if (value !== undefined) metadata[key] = value;
  }
  metadata['limit'] = query.limit;
  const before = decodeSeqCursor(query.cursor);
  if (before !== undefined) metadata['before_seq'] = before;
  metadata['returned'] = page.items.length;
  await recordEvent(tx, { action: 'activity.read', metadata });
  return page;
}

const FILTER_KEYS = [
  'actor_type',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'from',
  'to',
] as const satisfies readonly (keyof ActivityFilters)[];
