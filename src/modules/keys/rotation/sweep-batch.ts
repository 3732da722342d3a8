/**
 * One batch of the re-encryption sweep (sweep.ts), and the checkpoint in
 * key_rotations it moves: where a batch starts, reading and re-sealing it
 * in memory, committing it, and ending a pass.
 */
import { sql } from 'kysely';
import type { Database } from '../../../db/database.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import type { Principal } from '../../../db/principal.js';
import { AppError } from '../../../base/errors.js';
import type { KeyRotationStatus } from '../../../db/schema.js';
import type { Keyring } from '../keyring.js';
import { SEALED_FIELDS, fieldName } from '../sealed-fields.js';
import { countAllBelow, nextBelow, writeSealed, type ResealedRow } from './sealed-sql.js';

export const MAX_PASSES = 3;

/** Envelope bytes read per batch at most (a batch holds at least one row). */
export const BATCH_BYTES = 8 * 1024 * 1024;

export interface SweepProgress {
  readonly rotationId: string;
  readonly status: KeyRotationStatus;
  readonly rowsDone: number;
  readonly rowsTotal: number;
  readonly toVersion: number;
}

/** How batches are read and committed (the part of the sweep's options a batch uses). */
export interface BatchOptions {
  readonly batchSize: number;
  /** Envelope bytes per batch at most (default BATCH_BYTES). */
  readonly batchBytes?: number;
  /** Runs inside each batch's transaction before it commits (tests simulate a crash here). */
  readonly onBatch?: (progress: SweepProgress) => void | Promise<void>;
}

export type Keys = Pick<Keyring, 'reseal'>;
export type Db = Pick<Database, 'withTenant'>;

/** Where a batch starts: a pass, a field (index into SEALED_FIELDS) and the last id done in it. */
export interface Cursor {
  readonly pass: number;
  readonly index: number;
  readonly afterId: string | null;
}

export interface Prepared {
  readonly from: Cursor;
  readonly rows: readonly ResealedRow[];
  /** The last row's id when more rows may follow in this field; null when it is exhausted. */
  readonly lastId: string | null;
}

interface RotationRow {
  readonly status: KeyRotationStatus;
  readonly error: string | null;
  readonly to_version: number;
  readonly rows_done: string | number;
  readonly rows_total: string | number;
  readonly last_table: string | null;
  readonly last_id: string | null;
  readonly passes: number;
}

export function progressOf(rotationId: string, rot: RotationRow): SweepProgress {
  return {
    rotationId,
    status: rot.status,
    rowsDone: Number(rot.rows_done),
    rowsTotal: Number(rot.rows_total),
    toVersion: rot.to_version,
  };
}

/** Finished for good: nothing to do, whatever the checkpoint says. */
export function isFinal(rot: Pick<RotationRow, 'status' | 'error'>): boolean {
  // A shredded workspace's keys are gone: nothing left to re-seal, ever.
  return (
    rot.status === 'done' ||
    rot.status === 'superseded' ||
    (rot.status === 'failed' && rot.error === 'shredded')
  );
}

export function cursorOf(rot: RotationRow): Cursor {
  const at = SEALED_FIELDS.findIndex((f) => fieldName(f) === rot.last_table);
  return { pass: rot.passes, index: Math.max(at, 0), afterId: at < 0 ? null : rot.last_id };
}

/** The cursor after a batch, or null at the end of a pass. */
export function following(batch: Prepared): Cursor | null {
  const { pass, index } = batch.from;
  if (batch.lastId !== null) return { pass, index, afterId: batch.lastId };
  if (index + 1 < SEALED_FIELDS.length) return { pass, index: index + 1, afterId: null };
  return null;
}

/** A cursor as stored in key_rotations (last_table, last_id). */
function stored(cursor: Cursor): { table: string | null; id: string | null } {
  const field = SEALED_FIELDS[cursor.index];
  return { table: field === undefined ? null : fieldName(field), id: cursor.afterId };
}

export async function loadRotation(tx: TenantTx, rotationId: string, lock: boolean) {
  const query = tx.selectFrom('key_rotations').selectAll().where('id', '=', rotationId);
  const rot = await (lock ? query.forUpdate() : query).executeTakeFirst();
  if (rot === undefined) throw new AppError('not_found', 'No such key rotation');
  return rot;
}

/** Reads and re-seals the batch at `from`, in memory; writes nothing. */
export async function prepare(
  db: Db,
  keyring: Keys,
  principal: Principal,
  version: number,
  from: Cursor,
  options: BatchOptions,
): Promise<Prepared> {
  const field = SEALED_FIELDS[from.index];
  if (field === undefined) return { from, rows: [], lastId: null };
  return db.withTenant(principal, async (tx) => {
    const { rows, more } = await nextBelow(
      tx,
      field,
      version,
      from.afterId,
      options.batchSize,
      options.batchBytes ?? BATCH_BYTES,
    );
    const fields = rows.map((r) => ({
      ref: { table: field.table, column: field.column, rowId: r.id, bound: r.bound },
      envelope: r.sealed,
    }));
    const sealed = await keyring.reseal(tx, fields, version);
    const resealed = rows.map((r, i) => {
      const envelope = sealed[i];
      if (envelope === undefined) throw new AppError('internal', 'Re-sealing lost a row');
      return { id: r.id, sealed: envelope, was: r.sealed };
    });
    return { from, rows: resealed, lastId: more ? (rows.at(-1)?.id ?? null) : null };
  });
}

/** Thrown inside a batch's transaction to roll it back: the rotation ended meanwhile. */
export class RotationEnded extends Error {}

/**
 * Writes a prepared batch back, adds its rows to rows_done and, if the
 * checkpoint is still where the batch started, moves it to where it ended.
 * A batch of a rotation that has ended meanwhile is rolled back.
 */
export async function commit(
  tx: TenantTx,
  rotationId: string,
  batch: Prepared,
  options: BatchOptions,
): Promise<SweepProgress> {
  const field = SEALED_FIELDS[batch.from.index];
  const written = field === undefined ? 0 : await writeSealed(tx, field, batch.rows);
  const from = stored(batch.from);
  // The batch ending a pass leaves the checkpoint where it is: endPass() moves it.
  const next = following(batch);
  const to = next === null ? from : stored(next);
  const first = SEALED_FIELDS[0];
  const here = sql<boolean>`passes = ${batch.from.pass}
    and coalesce(last_table, ${first === undefined ? null : fieldName(first)}) is not distinct from ${from.table}
    and last_id is not distinct from ${from.id}`;
  const rot = await tx
    .updateTable('key_rotations')
    .set({
      status: 'running',
      error: null,
      rows_done: sql`rows_done + ${written}`,
      started_at: sql`coalesce(started_at, now())`,
      last_table: sql`case when ${here} then ${to.table} else last_table end`,
      last_id: sql`case when ${here} then ${to.id} else last_id end`,
    })
    .where('id', '=', rotationId)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['pending', 'running']),
        eb.and([eb('status', '=', 'failed'), eb('error', 'is distinct from', 'shredded')]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
  if (rot === undefined) throw new RotationEnded();
  const progress = progressOf(rotationId, rot);
  await options.onBatch?.(progress);
  return progress;
}

/**
 * Ends a pass once its batches have committed: done if nothing is left
 * below the version, else another pass (rows written meanwhile by a stale
 * process), failed after MAX_PASSES. If another worker ended this pass
 * already, goes on from where that left the rotation.
 */
export async function endPass(
  tx: TenantTx,
  rotationId: string,
  pass: number,
): Promise<{ progress: SweepProgress; next: Cursor | null }> {
  const rot = await loadRotation(tx, rotationId, true);
  if (isFinal(rot) || rot.passes !== pass) {
    return { progress: progressOf(rotationId, rot), next: isFinal(rot) ? null : cursorOf(rot) };
  }
  const remaining = await countAllBelow(tx, rot.to_version);
  const passes = pass + 1;
  const rowsDone = Number(rot.rows_done);
  const restart = { last_table: null, last_id: null, passes };
  const end = { ...restart, finished_at: new Date() };
  const update =
    remaining === 0
      ? { ...end, status: 'done' as const, rows_total: Math.max(Number(rot.rows_total), rowsDone) }
      : passes >= MAX_PASSES
        ? {
            ...end,
            status: 'failed' as const,
            error: `rows_remaining: ${remaining} rows still below version ${rot.to_version}`,
          }
        : {
            ...restart,
            status: 'running' as const,
            rows_total: Number(rot.rows_total) + remaining,
          };
  const saved = await tx
    .updateTable('key_rotations')
    .set(update)
    .where('id', '=', rotationId)
    .returningAll()
    .executeTakeFirstOrThrow();
  const progress = progressOf(rotationId, saved);
  return {
    progress,
    next: progress.status === 'running' ? { pass: passes, index: 0, afterId: null } : null,
  };
}
