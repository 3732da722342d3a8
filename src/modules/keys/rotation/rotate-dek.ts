/**
 * `keys rotate`: adds data key version n+1 (wrapped by the current master
 * key) as the primary, so new writes use it as soon as this commits (every
 * process hears the NOTIFY), and records the re-encryption sweep's
 * checkpoint row. Older versions stay: rows sealed under them still open
 * until the sweep has re-sealed them. An unfinished older sweep is marked
 * superseded (this one covers its rows too).
 */
import type { Database } from '../../../db/database.js';
import type { Principal } from '../../../db/principal.js';
import type { Keyring } from '../keyring.js';
import { notifyKeyEvent } from './key-events.js';
import { countAllBelow } from './sealed-sql.js';

export interface StartedRotation {
  readonly tenantId: string;
  readonly rotationId: string;
  readonly fromVersions: readonly number[];
  readonly toVersion: number;
  readonly rowsTotal: number;
}

export async function startRotation(
  db: Pick<Database, 'withTenant'>,
  keyring: Pick<Keyring, 'addKeyVersion' | 'invalidate'>,
  principal: Principal,
): Promise<StartedRotation> {
  const started = await db.withTenant(principal, async (tx) => {
    const created = await keyring.addKeyVersion(tx);
    const older = await tx
      .selectFrom('workspace_keys')
      .select('version')
      .where('version', '<', created.version)
      .orderBy('version')
      .execute();
    await tx
      .updateTable('key_rotations')
      .set({ status: 'superseded', finished_at: new Date() })
      .where('status', 'in', ['pending', 'running', 'failed'])
      .execute();
    const rowsTotal = await countAllBelow(tx, created.version);
    const fromVersions = older.map((r) => r.version);
    const row = await tx
      .insertInto('key_rotations')
      .values({
        tenant_id: principal.tenantId,
        from_versions: fromVersions,
        to_version: created.version,
        rows_total: rowsTotal,
        ...(rowsTotal === 0 ? { status: 'done' as const, finished_at: new Date() } : {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await notifyKeyEvent(tx, 'rotated');
    return {
      tenantId: principal.tenantId,
      rotationId: row.id,
      fromVersions,
      toVersion: created.version,
      rowsTotal,
    };
  });
  // This process at once; the others when the NOTIFY arrives.
  keyring.invalidate(principal.tenantId);
  return started;
}
