/**
 * A deletion request, wired to a real deletion. An owner moves a verified
 * deletion request to in progress by typing the requester's email; when the
 * requester is a user of the workspace (the request's subject user, or a
 * member whose email matches the request's sealed requester email), that
 * person's deletion is scheduled in the same transaction, to run after the
 * cooling-off period. When the requester is nobody's account, nothing is
 * scheduled and the answer says so: Wardroom has no account to delete, and
 * the contact records with that address are deleted by an admin or by the
 * person's own opt-out (contacts module), never claimed here.
 */
import { sql } from 'kysely';
import { AppError } from '../../../base/errors.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import { principalOf } from '../../../db/tenant-tx.js';
import { recordEvent } from '../../audit/index.js';
import type { Keyring } from '../../keys/index.js';
import type { RequestRow } from '../store.js';
import { toView } from '../store.js';
import { deletionMetadata, deletionTargets } from './events.js';
import { sealReceiptAddress } from './receipt-seal.js';
import {
  cancelIn,
  latestDeletionIn,
  runsAfter,
  scheduleIn,
  type DeletionView,
} from './scheduled.js';

export interface RequestSubject {
  /** The user the request is about, when they have an account in this workspace. */
  readonly userId: string | null;
  /** The address to confirm with: the requester's, else the user's. */
  readonly email: string | null;
}

/** Who a deletion request is about, as far as this workspace knows. */
export async function requestSubject(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  row: RequestRow,
): Promise<RequestSubject> {
  const view = await toView(tx, keyring, row, new Date());
  const requested = view.subject.email;
  let userId = row.subject_user_id;
  if (userId === null && requested !== null) {
    const { rows } = await sql<{ user_id: string }>`
      SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE lower(u.email) = lower(${requested}) LIMIT 1`.execute(tx);
    userId = rows[0]?.user_id ?? null;
  }
  if (requested !== null || userId === null) return { userId, email: requested };
  const { rows } = await sql<{ email: string }>`
    SELECT u.email FROM users u WHERE u.id = ${userId}::uuid`.execute(tx);
  return { userId, email: rows[0]?.email ?? null };
}

/** The pending or running deletion this request scheduled, if any. */
export async function openDeletionOf(
  tx: TenantTx,
  requestId: string,
  subject: RequestSubject,
): Promise<DeletionView | null> {
  if (subject.userId === null) return null;
  const d = await latestDeletionIn(tx, subject.userId);
  return d !== null &&
    d.request_id === requestId &&
    (d.state === 'pending' || d.state === 'running')
    ? d
    : null;
}

/** Schedules the subject's deletion for this request; the caller moves the request. */
export async function scheduleForRequest(
  tx: TenantTx,
  deps: { readonly receiptKey: Buffer; readonly coolingOffDays: number; readonly now: Date },
  requestId: string,
  subject: RequestSubject & { readonly userId: string; readonly email: string },
): Promise<DeletionView> {
  const deletion = await scheduleIn(tx, {
    userId: subject.userId,
    sessionHash: null,
    request: { workspaceId: principalOf(tx).tenantId, requestId },
    requestedAt: deps.now,
    runsAfter: runsAfter(deps.now, deps.coolingOffDays),
    receiptTo: sealReceiptAddress(deps.receiptKey, subject.userId, subject.email),
  });
  await recordEvent(tx, {
    action: 'privacy.deletion.scheduled',
    targets: deletionTargets(deletion),
    metadata: deletionMetadata(deletion),
  });
  return deletion;
}

/**
 * The checks a deletion request's transition gets from the generic route:
 * in progress only through the confirmed route; not completed by hand while
 * its deletion waits or runs (the sweep completes it); cancelled or denied
 * cancels its pending deletion, audited here.
 */
export async function guardDeletionMove(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  row: RequestRow,
  to: string,
  now: Date,
): Promise<void> {
  if (to === 'in_progress') {
    throw new AppError(
      'deletion_confirmation_required',
      'A deletion request goes in progress with its typed confirmation: POST …/deletion',
    );
  }
  if (to !== 'completed' && to !== 'cancelled' && to !== 'denied') return;
  const open = await openDeletionOf(tx, row.id, await requestSubject(tx, keyring, row));
  if (open === null) return;
  if (to === 'completed') {
    throw new AppError(
      'privacy_transition_invalid',
      `The deletion runs after ${open.runs_after}; it completes the request itself`,
    );
  }
  const cancelled =
    open.state === 'pending' ? await cancelIn(tx, open.id, open.user_id, now) : null;
  if (cancelled === null) {
    throw new AppError('deletion_not_pending', 'The deletion is already running');
  }
  await recordEvent(tx, {
    action: 'privacy.deletion.cancelled',
    targets: deletionTargets(cancelled),
    metadata: deletionMetadata(cancelled),
  });
}
