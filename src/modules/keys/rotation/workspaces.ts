/**
 * Cross-workspace key operations iterate workspace ids through the audited
 * system door (ids only, through wardroom.list_workspace_ids()), then open
 * each workspace with withTenant() as the system actor.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../../db/database.js';
import type { Principal } from '../../../db/tenant-tx.js';

export async function listWorkspaces(
  db: Pick<Database, 'withSystem'>,
  reason: string,
): Promise<string[]> {
  return db.withSystem(reason, async (tx) => {
    const { rows } = await sql<{ id: string }>`select wardroom.list_workspace_ids() as id`.execute(
      tx,
    );
    return rows.map((r) => r.id);
  });
}

/** The principal of key operations run by the system (sweeps, CLI without an operator name). */
export function keysPrincipal(
  tenantId: string,
  actor: { type?: Principal['actorType']; id?: string; name?: string } = {},
): Principal {
  return {
    tenantId,
    actorType: actor.type ?? 'system',
    actorId: actor.id ?? 'key-rotation',
    correlationId: randomUUID(),
    ...(actor.name === undefined ? {} : { actorName: actor.name }),
  };
}
