/**
 * Moving a request through its states, and extending its deadline. Each is
 * one locked read and one update, with an explicit audit event naming the
 * states or dates, never the requester.
 */
import { AppError } from '../../base/errors.js';
import type { PrivacyRequestState } from '../../db/schema-privacy.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import { dateOf } from './calendar.js';
import { extendedDueDate, LAWS, type LawCode } from './laws.js';
import type { PrivacyDeps } from './requests.js';
import {
  isOpen,
  REQUEST_COLUMNS,
  requestNotFound,
  toView,
  type RequestRow,
  type RequestView,
} from './store.js';
import { checkTransition } from './transitions.js';
import { guardDeletionMove } from './deletion/request-deletion.js';

/** Who moves a request besides the generic route: the confirmed deletion route, or the sweep. */
export interface MoveOptions {
  /** The deletion route: the owner typed the confirmation and the deletion is scheduled. */
  readonly confirmed?: boolean;
  /** The deletion sweep completing the request its deletion came from. */
  readonly bySweep?: boolean;
}

export async function lockRequest(tx: TenantTx, id: string): Promise<RequestRow> {
  const row = await tx
    .selectFrom('privacy_requests')
    .select(REQUEST_COLUMNS)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (row === undefined) throw requestNotFound();
  return row;
}

export async function transitionRequest(
  tx: TenantTx,
  deps: PrivacyDeps,
  id: string,
  input: { to: PrivacyRequestState; reason?: string | undefined },
  options: MoveOptions = {},
): Promise<RequestView> {
  const current = await lockRequest(tx, id);
  checkTransition(current.state, input.to, input.reason);
  const now = deps.clock();
  if (current.type === 'deletion' && options.confirmed !== true && options.bySweep !== true) {
    await guardDeletionMove(tx, deps.keyring, current, input.to, now);
  }
  const row = await tx
    .updateTable('privacy_requests')
    .set({
      state: input.to,
      updated_at: now,
      ...(input.to === 'identity_verified' ? { identity_verified_at: now } : {}),
      ...(isOpen(input.to) ? {} : { closed_at: now }),
      ...(input.to === 'denied' ? { denial_reason: input.reason ?? null } : {}),
    })
    .where('id', '=', id)
    .returning(REQUEST_COLUMNS)
    .executeTakeFirstOrThrow();
  await recordEvent(tx, {
    action: 'privacy.request.state_changed',
    targets: [{ type: 'privacy_request', id }],
    metadata: { from: current.state, to: input.to, type: current.type },
  });
  return toView(tx, deps.keyring, row, now);
}

const notAllowed = (message: string) => new AppError('privacy_extension_not_allowed', message);

/**
 * Extends an open request's deadline to the longest its law allows, once,
 * before the first deadline has passed, with the reason recorded (GDPR Art.
 * 12(3) and CCPA §1798.130 both require telling the requester why within the
 * first period).
 */
export async function extendRequest(
  tx: TenantTx,
  deps: PrivacyDeps,
  id: string,
  reason: string,
): Promise<RequestView> {
  const current = await lockRequest(tx, id);
  const law = current.law as LawCode;
  const now = deps.clock();
  if (!isOpen(current.state)) throw notAllowed(`The request is ${current.state}`);
  if (current.extended_due_on !== null) throw notAllowed('The deadline was already extended');
  if (dateOf(now) > current.due_on) {
    throw notAllowed(`The deadline (${current.due_on}) has passed: extend within the first period`);
  }
  const extended = extendedDueDate(law, current.type, dateOf(current.received_at));
  if (extended === undefined) {
    throw notAllowed(`${LAWS[law].name} allows no extension for a ${current.type} request`);
  }
  const row = await tx
    .updateTable('privacy_requests')
    .set({ extended_due_on: extended, extension_reason: reason, extended_at: now, updated_at: now })
    .where('id', '=', id)
    .returning(REQUEST_COLUMNS)
    .executeTakeFirstOrThrow();
  await recordEvent(tx, {
    action: 'privacy.request.extended',
    targets: [{ type: 'privacy_request', id }],
    metadata: { law, due_on: current.due_on, extended_due_on: extended },
  });
  return toView(tx, deps.keyring, row, now);
}
