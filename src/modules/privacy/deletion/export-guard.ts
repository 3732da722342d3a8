/**
 * "Filing for deletion before exporting" is the pitfall the documentation
 * warns about, so every deletion first shows whether the person has an
 * access export. Whether one exists is asked through this small port, so
 * the answer can come from a table of exports later; today's implementation
 * reads what exists: the `privacy.export.completed` audit events whose actor
 * is the person (an export they ran), in the workspace asked about.
 */
import type { Database } from '../../../db/database.js';
import { userPrincipal } from '../../../db/principal.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import { userWorkspaces } from './pseudonymise.js';

export interface ExportEvidence {
  readonly exists: boolean;
  /** The latest export's completion, an ISO time, or null. */
  readonly latest_at: string | null;
  /** The workspace it was made in, or null. */
  readonly workspace_id: string | null;
}

export interface AccessExportLookup {
  /** The person's latest access export in the transaction's workspace. */
  inWorkspace(tx: TenantTx, userId: string): Promise<ExportEvidence>;
}

const NONE: ExportEvidence = { exists: false, latest_at: null, workspace_id: null };

/** Today's implementation: the completed-export audit events the person is the actor of. */
export const auditExportLookup: AccessExportLookup = {
  async inWorkspace(tx, userId) {
    const row = await tx
      .selectFrom('audit_log')
      .select(['tenant_id', 'occurred_at'])
      .where('action', '=', 'privacy.export.completed')
      .where('actor_type', '=', 'user')
      .where('actor_id', '=', userId)
      .orderBy('occurred_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined
      ? NONE
      : { exists: true, latest_at: row.occurred_at.toISOString(), workspace_id: row.tenant_id };
  },
};

/** Across every workspace of the person (their own account's deletion), read as them. */
export async function personExportEvidence(
  db: Pick<Database, 'withSystem' | 'withTenant'>,
  lookup: AccessExportLookup,
  userId: string,
): Promise<ExportEvidence> {
  let latest = NONE;
  for (const ws of await userWorkspaces(db, userId)) {
    const found = await db.withTenant(userPrincipal(ws, userId), (tx) =>
      lookup.inWorkspace(tx, userId),
    );
    const at = found.latest_at;
    if (at !== null && (latest.latest_at === null || at > latest.latest_at)) latest = found;
  }
  return latest;
}
