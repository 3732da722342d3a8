/**
 * Watching sweeps from the CLI: polls the checkpoint rows of the given
 * rotations and reports rows done / total and the rate, until each is
 * done, failed or superseded.
 */
import type { Database } from '../../../db/database.js';
import type { KeyRotationStatus } from '../../../db/schema.js';
import { systemPrincipal } from '../../../db/principal.js';

export interface WatchedRotation {
  readonly tenantId: string;
  readonly rotationId: string;
}

export interface SweepTick {
  readonly finished: number;
  readonly rotations: number;
  readonly rowsDone: number;
  readonly rowsTotal: number;
  /** Rows re-sealed per second since watching began. */
  readonly rowsPerSecond: number;
  readonly failed: readonly { readonly tenantId: string; readonly error: string | null }[];
}

const FINAL: readonly KeyRotationStatus[] = ['done', 'failed', 'superseded'];

export async function watchRotations(
  db: Pick<Database, 'withTenant'>,
  rotations: readonly WatchedRotation[],
  options: { intervalMs?: number; onTick: (tick: SweepTick) => void },
): Promise<SweepTick> {
  const began = Date.now();
  let firstDone: number | undefined;
  for (;;) {
    let rowsDone = 0;
    let rowsTotal = 0;
    let finished = 0;
    const failed: { tenantId: string; error: string | null }[] = [];
    let start = Infinity;
    let end = 0;
    for (const r of rotations) {
      const row = await db.withTenant(systemPrincipal(r.tenantId, 'key-rotation'), (tx) =>
        tx
          .selectFrom('key_rotations')
          .select(['status', 'rows_done', 'rows_total', 'error', 'started_at', 'finished_at'])
          .where('id', '=', r.rotationId)
          .executeTakeFirst(),
      );
      if (row === undefined) {
        finished += 1;
        failed.push({ tenantId: r.tenantId, error: 'rotation not found' });
        continue;
      }
      start = Math.min(start, row.started_at?.getTime() ?? Infinity);
      end = Math.max(end, row.finished_at?.getTime() ?? 0);
      rowsDone += Number(row.rows_done);
      rowsTotal += Number(row.rows_total);
      if (FINAL.includes(row.status)) finished += 1;
      if (row.status === 'failed') failed.push({ tenantId: r.tenantId, error: row.error });
    }
    firstDone ??= rowsDone;
    const all = finished === rotations.length && end > start;
    // While running: the rate seen since watching began; at the end: over the sweeps' own times.
    const seconds = Math.max((all ? end - start : Date.now() - began) / 1000, 0.001);
    const tick = {
      finished,
      rotations: rotations.length,
      rowsDone,
      rowsTotal,
      rowsPerSecond: Math.round((all ? rowsDone : rowsDone - firstDone) / seconds),
      failed,
    };
    options.onTick(tick);
    if (finished === rotations.length) return tick;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}
