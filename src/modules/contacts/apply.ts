/**
 * Applying an opt-out: in every workspace, delete each contact whose
 * `email_index` is that workspace's index of the suppressed address hash,
 * then mark the suppression applied. The address hash comes from the
 * suppression entry (a definer function; the job carries its id only), and
 * each workspace's index is computed from it here, so the address is never
 * needed. Each workspace is its own transaction as a system principal: the
 * deletions are `contact.deleted` events of its audit log (trigger), and a
 * workspace that lost contacts also gets `privacy.optout.applied` with the
 * count, never the address. Running it again after a crash redoes only what
 * is left (deleting what is already gone deletes nothing, and no event is
 * written for a count of zero).
 */
import type { Database } from '../../db/database.js';
import { systemPrincipal } from '../../db/principal.js';
import { recordEvent } from '../audit/index.js';
import { emailIndex, type PrivacyKeys } from './blind-index.js';

export const OPTOUT_APPLIED_ACTION = 'privacy.optout.applied';

export interface OptOutApplied {
  /** Workspaces that held at least one contact with the address. */
  readonly workspaces: number;
  readonly deleted: number;
}

/** Applies one suppression; null when it is unknown or already applied. */
export async function applyOptOut(
  db: Pick<Database, 'withSystem' | 'withTenant'>,
  keys: PrivacyKeys,
  suppressionId: string,
): Promise<OptOutApplied | null> {
  const reason = 'privacy: apply opt-out';
  const taken = (
    await db.withSystem(reason, (tx) => tx.call('privacy_suppression_take', suppressionId))
  )[0] as { email_hash: string } | null | undefined;
  if (taken === null || taken === undefined) return null;
  const address = Buffer.from(taken.email_hash, 'hex');
  const ids = await db.withSystem(reason, (tx) => tx.call('list_workspace_ids'));
  let workspaces = 0;
  let deleted = 0;
  for (const tenantId of ids) {
    const count = await db.withTenant(
      systemPrincipal(tenantId, 'privacy-optout', suppressionId),
      async (tx) => {
        const rows = await tx
          .deleteFrom('contacts')
          .where('email_index', '=', emailIndex(keys, tenantId, address))
          .returning('id')
          .execute();
        if (rows.length > 0) {
          await recordEvent(tx, {
            action: OPTOUT_APPLIED_ACTION,
            metadata: { count: rows.length },
          });
        }
        return rows.length;
      },
    );
    if (count > 0) workspaces += 1;
    deleted += count;
  }
  await db.withSystem(reason, (tx) => tx.call('privacy_suppression_applied', suppressionId));
  return { workspaces, deleted };
}
