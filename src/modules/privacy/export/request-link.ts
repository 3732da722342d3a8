/**
 * An export that answers an access request: checked before anything is
 * exported (the request exists here, is an access request, and may move to
 * `completed`, which only `in_progress` may), completed in the same
 * transaction once the export is stored, so a failed export leaves the
 * request as it was. The `privacy.request.exported` event ties the request
 * to the export by ids only.
 */
import { AppError } from '../../../base/errors.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import { recordEvent } from '../../audit/index.js';
import { transitionRequest } from '../moves.js';
import type { PrivacyDeps } from '../requests.js';
import { requestNotFound } from '../store.js';
import { checkTransition } from '../transitions.js';

export interface RequestLink {
  check(tx: TenantTx): Promise<void>;
  complete(tx: TenantTx, exportId: string): Promise<void>;
}

const none: RequestLink = { check: () => Promise.resolve(), complete: () => Promise.resolve() };

export function completesRequest(
  deps: Pick<PrivacyDeps, 'keyring' | 'clock'>,
  requestId: string | undefined,
): RequestLink {
  if (requestId === undefined) return none;
  return {
    async check(tx) {
      const row = await tx
        .selectFrom('privacy_requests')
        .select(['type', 'state'])
        .where('id', '=', requestId)
        .forUpdate()
        .executeTakeFirst();
      if (row === undefined) throw requestNotFound();
      if (row.type !== 'access') {
        throw new AppError(
          'privacy_transition_invalid',
          `An export completes an access request, not a ${row.type} request`,
        );
      }
      checkTransition(row.state, 'completed', undefined);
    },
    async complete(tx, exportId) {
      await recordEvent(tx, {
        action: 'privacy.request.exported',
        targets: [
          { type: 'privacy_request', id: requestId },
          { type: 'privacy_export', id: exportId },
        ],
      });
      await transitionRequest(tx, deps, requestId, { to: 'completed' });
    },
  };
}
