/**
 * Cross-workspace key operations iterate workspace ids through the audited
 * system door (ids only, through wardroom.list_workspace_ids()), then open
 * each workspace with withTenant() as the system actor.
 */
import type { Database } from '../../../db/database.js';

export async function listWorkspaces(
  db: Pick<Database, 'withSystem'>,
  reason: string,
): Promise<string[]> {
  return db.withSystem(reason, (tx) => tx.call('list_workspace_ids'));
}
