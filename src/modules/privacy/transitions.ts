/**
 * The states a privacy request moves through, as one table. Identity comes
 * before any work on a request; completed, denied and cancelled are final.
 * A denial says why (a recorded reason); any open request may be cancelled
 * (the requester withdrew it).
 */
import { AppError } from '../../base/errors.js';
import type { PrivacyRequestState } from '../../db/schema-privacy.js';

export const TRANSITIONS: Readonly<Record<PrivacyRequestState, readonly PrivacyRequestState[]>> = {
  received: ['identity_verified', 'denied', 'cancelled'],
  identity_verified: ['in_progress', 'denied', 'cancelled'],
  in_progress: ['completed', 'denied', 'cancelled'],
  completed: [],
  denied: [],
  cancelled: [],
};

/** The states `from` may move to (none for a final state). */
export function nextStates(from: PrivacyRequestState): readonly PrivacyRequestState[] {
  return TRANSITIONS[from];
}

/** Throws `privacy_transition_invalid` unless `from → to` is in the table (and a denial has a reason). */
export function checkTransition(
  from: PrivacyRequestState,
  to: PrivacyRequestState,
  reason: string | undefined,
): void {
  if (!TRANSITIONS[from].includes(to)) {
    const allowed = TRANSITIONS[from];
    throw new AppError(
      'privacy_transition_invalid',
      allowed.length === 0
        ? `The request is ${from}: a final state`
        : `A ${from} request can become ${allowed.join(', ')}, not ${to}`,
      { details: { from, to, allowed } },
    );
  }
  if (to === 'denied' && (reason === undefined || reason.length === 0)) {
    throw new AppError('validation_failed', 'A denial needs a reason');
  }
}
