/**
 * Scheduled deletions (migration 029) as the rest of the code sees them:
 * the row's view (dates as ISO strings, never the sealed address), and the
 * definer calls, each usable from a system transaction or, through `sql`,
 * from inside a workspace's transaction (a deletion request is scheduled in
 * the same transaction that moves the request).
 */
import { sql } from 'kysely';
import { AppError } from '../../../base/errors.js';
import type { Database } from '../../../db/database.js';
import type { TenantTx } from '../../../db/tenant-tx.js';

export type DeletionState = 'pending' | 'cancelled' | 'running' | 'completed';

export interface DeletionReceipt {
  readonly workspaces: number;
  readonly revoked_sessions: number;
  readonly revoked_tokens: number;
}

export interface DeletionView {
  readonly id: string;
  readonly user_id: string;
  readonly origin: 'account' | 'request';
  readonly workspace_id: string | null;
  readonly request_id: string | null;
  readonly state: DeletionState;
  readonly requested_at: string;
  readonly runs_after: string;
  readonly cancelled_at: string | null;
  readonly completed_at: string | null;
  readonly receipt: DeletionReceipt | null;
}

interface DeletionRow {
  id: string;
  user_id: string;
  origin: 'account' | 'request';
  origin_tenant_id: string | null;
  origin_request_id: string | null;
  state: DeletionState;
  requested_at: string;
  runs_after: string;
  cancelled_at: string | null;
  completed_at: string | null;
  receipt: DeletionReceipt | null;
}

const iso = (v: string): string => new Date(v).toISOString();
const isoOrNull = (v: string | null): string | null => (v === null ? null : iso(v));

/** The view of a row as the definer functions return it (jsonb). */
export function toDeletionView(value: unknown): DeletionView {
  const r = value as DeletionRow;
  return {
    id: r.id,
    user_id: r.user_id,
    origin: r.origin,
    workspace_id: r.origin_tenant_id,
    request_id: r.origin_request_id,
    state: r.state,
    requested_at: iso(r.requested_at),
    runs_after: iso(r.runs_after),
    cancelled_at: isoOrNull(r.cancelled_at),
    completed_at: isoOrNull(r.completed_at),
    receipt: r.receipt,
  };
}

const viewOrNull = (value: unknown): DeletionView | null =>
  value === null || value === undefined ? null : toDeletionView(value);

/** The person's latest deletion (any state), or null. */
export async function latestDeletion(
  db: Pick<Database, 'withSystem'>,
  userId: string,
): Promise<DeletionView | null> {
  const [row] = await db.withSystem('privacy: a person’s deletion', (tx) =>
    tx.call('privacy_deletion_get', userId),
  );
  return viewOrNull(row);
}

/** The same, inside a workspace's transaction. */
export async function latestDeletionIn(tx: TenantTx, userId: string): Promise<DeletionView | null> {
  const { rows } = await sql<{
    v: unknown;
  }>`select wardroom.privacy_deletion_get(${userId}::uuid) as v`.execute(tx);
  return viewOrNull(rows[0]?.v);
}

export interface ScheduleArgs {
  readonly userId: string;
  /** The person's own session (their own account), or null for a request. */
  readonly sessionHash: Buffer | null;
  /** A deletion request: its workspace and id. */
  readonly request: { readonly workspaceId: string; readonly requestId: string } | null;
  readonly requestedAt: Date;
  readonly runsAfter: Date;
  readonly receiptTo: Buffer;
}

interface ScheduleAnswer {
  status: 'scheduled' | 'already_scheduled' | 'not_allowed';
  deletion?: unknown;
}

/** Throws `deletion_already_scheduled` (409) or `forbidden`; else the new pending deletion. */
export function scheduledOrThrow(answer: unknown): DeletionView {
  const a = answer as ScheduleAnswer | null;
  if (a?.status === 'scheduled') return toDeletionView(a.deletion);
  if (a?.status === 'already_scheduled') {
    const open = toDeletionView(a.deletion);
    throw new AppError(
      'deletion_already_scheduled',
      `A deletion is already ${open.state}: it runs after ${open.runs_after}`,
      { details: { id: open.id, runs_after: open.runs_after, state: open.state } },
    );
  }
  throw new AppError('forbidden', 'This deletion cannot be scheduled by this caller');
}

/** The call's arguments, in the function's order. */
export function scheduleParams(a: ScheduleArgs) {
  return [
    a.userId,
    a.sessionHash,
    a.request?.workspaceId ?? null,
    a.request?.requestId ?? null,
    a.requestedAt.toISOString(),
    a.runsAfter.toISOString(),
    a.receiptTo,
  ] as const;
}

/** Schedules inside a workspace's transaction (a deletion request). */
export async function scheduleIn(tx: TenantTx, a: ScheduleArgs): Promise<DeletionView> {
  const p = scheduleParams(a);
  const { rows } = await sql<{ v: unknown }>`
    select wardroom.privacy_deletion_schedule(${p[0]}::uuid, ${p[1]}::bytea, ${p[2]}::uuid,
      ${p[3]}::uuid, ${p[4]}::timestamptz, ${p[5]}::timestamptz, ${p[6]}::bytea) as v`.execute(tx);
  return scheduledOrThrow(rows[0]?.v);
}

/** Cancels a pending deletion of `userId` by its id; null when none is pending. */
export async function cancelIn(
  tx: TenantTx,
  id: string,
  userId: string,
  now: Date,
): Promise<DeletionView | null> {
  const { rows } = await sql<{ v: unknown }>`
    select wardroom.privacy_deletion_cancel(${id}::uuid, ${userId}::uuid,
      ${now.toISOString()}::timestamptz) as v`.execute(tx);
  return viewOrNull(rows[0]?.v);
}

export const notPending = (view: DeletionView | null): AppError =>
  new AppError(
    'deletion_not_pending',
    view === null ? 'No deletion is scheduled' : `The deletion is ${view.state}, not pending`,
  );

/** `now` plus the cooling-off period. */
export const runsAfter = (now: Date, days: number): Date =>
  new Date(now.getTime() + days * 86_400_000);
