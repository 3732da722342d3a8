/**
 * The re-encryption sweep of one rotation: re-seals every sealed field
 * still on a version below the rotation's, in batches. Each batch is one
 * transaction that locks the rotation's checkpoint row, re-seals the next
 * rows after the checkpoint (the query itself skips rows already on the
 * new version) and advances the checkpoint: a sweep killed at any point
 * loses its open batch only, and resumes where the last commit left it,
 * without re-sealing a row twice. Two workers on one rotation take turns
 * on the checkpoint lock. When every field is done, the sweep counts what
 * is still below the version (rows written meanwhile by a process whose
 * key cache was stale) and goes round again, at most MAX_PASSES times.
 */
import type { Database } from '../../../db/database.js';
import type { Principal, TenantTx } from '../../../db/tenant-tx.js';
import { AppError, isAppError } from '../../../errors.js';
import type { KeyRotationStatus } from '../../../db/schema.js';
import type { Keyring } from '../keyring.js';
import { SEALED_FIELDS, fieldName, type SealedField } from '../sealed-fields.js';
import { countAllBelow, nextBelow, writeSealed } from './sealed-sql.js';

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

export interface SweepOptions {
  readonly batchSize: number;
  /** Envelope bytes per batch at most (default BATCH_BYTES). */
  readonly batchBytes?: number;
  /** Stop (resumably) after this many batches. */
  readonly maxBatches?: number;
  /** Stop (resumably) between batches once this is aborted. */
  readonly signal?: AbortSignal;
  /** Runs inside each batch's transaction before it commits (tests simulate a crash here). */
  readonly onBatch?: (progress: SweepProgress) => void | Promise<void>;
}

type Keys = Pick<Keyring, 'reseal'>;

interface Checkpoint {
  readonly status: KeyRotationStatus;
  readonly last_table: string | null;
  readonly last_id: string | null;
  readonly passes?: number;
  readonly error?: string;
  readonly finished_at?: Date;
  readonly rows_total?: number;
}

/**
 * Re-seals the next batch of one field; `lastId` is the last row's id when
 * the batch was full (more may follow), null when the field is exhausted.
 */
async function resealBatch(
  tx: TenantTx,
  keyring: Keys,
  field: SealedField,
  version: number,
  afterId: string | null,
  options: SweepOptions,
): Promise<{ written: number; lastId: string | null }> {
  const { rows, more } = await nextBelow(
    tx,
    field,
    version,
    afterId,
    options.batchSize,
    options.batchBytes ?? BATCH_BYTES,
  );
  const resealed = [];
  for (const row of rows) {
    const ref = { table: field.table, column: field.column, rowId: row.id };
    const sealed = await keyring.reseal(tx, ref, row.sealed, version);
    resealed.push({ id: row.id, sealed, was: row.sealed });
  }
  const written = await writeSealed(tx, field, resealed);
  const last = more ? rows[rows.length - 1] : undefined;
  return { written, lastId: last?.id ?? null };
}

/** One batch; returns the checkpoint as committed. */
export async function sweepBatch(
  tx: TenantTx,
  keyring: Keys,
  rotationId: string,
  options: SweepOptions,
): Promise<SweepProgress> {
  const began = new Date();
  const rot = await tx
    .selectFrom('key_rotations')
    .selectAll()
    .where('id', '=', rotationId)
    .forUpdate()
    .executeTakeFirst();
  if (rot === undefined) throw new AppError('not_found', 'No such key rotation');
  const progress = (p: Partial<SweepProgress> = {}): SweepProgress => ({
    rotationId,
    status: rot.status,
    rowsDone: Number(rot.rows_done),
    rowsTotal: Number(rot.rows_total),
    toVersion: rot.to_version,
    ...p,
  });
  if (rot.status === 'done' || rot.status === 'superseded') return progress();
  // The keys are gone: nothing left to re-seal, ever.
  if (rot.status === 'failed' && rot.error === 'shredded') return progress();
  const at = SEALED_FIELDS.findIndex((f) => fieldName(f) === rot.last_table);
  const index = Math.max(at, 0);
  const field = SEALED_FIELDS[index];
  const batch =
    field === undefined
      ? { written: 0, lastId: null }
      : await resealBatch(tx, keyring, field, rot.to_version, at < 0 ? null : rot.last_id, options);
  const rowsDone = Number(rot.rows_done) + batch.written;
  const following = SEALED_FIELDS[index + 1];
  const first = SEALED_FIELDS[0];
  let next: Checkpoint;
  if (field !== undefined && batch.lastId !== null) {
    next = { status: 'running', last_table: fieldName(field), last_id: batch.lastId };
  } else if (following !== undefined) {
    next = { status: 'running', last_table: fieldName(following), last_id: null };
  } else {
    // End of a pass: anything still below the version was written meanwhile by a stale process.
    const remaining = await countAllBelow(tx, rot.to_version);
    const passes = rot.passes + 1;
    const end = { last_table: null, last_id: null, passes, finished_at: new Date() };
    if (remaining === 0) {
      next = { ...end, status: 'done', rows_total: Math.max(Number(rot.rows_total), rowsDone) };
    } else if (passes >= MAX_PASSES) {
      const error = `rows_remaining: ${remaining} rows still below version ${rot.to_version}`;
      next = { ...end, status: 'failed', error };
    } else {
      next = {
        status: 'running',
        last_table: first === undefined ? null : fieldName(first),
        last_id: null,
        passes,
        rows_total: Number(rot.rows_total) + remaining,
      };
    }
  }
  await tx
    .updateTable('key_rotations')
    .set({
      error: null,
      ...next,
      rows_done: rowsDone,
      ...(rot.started_at === null ? { started_at: began } : {}),
    })
    .where('id', '=', rotationId)
    .execute();
  const result = progress({
    status: next.status,
    rowsDone,
    rowsTotal: next.rows_total ?? Number(rot.rows_total),
  });
  await options.onBatch?.(result);
  return result;
}

/** Runs batches until the rotation is finished, stopped or failed; records a failure's code. */
export async function runSweep(
  db: Pick<Database, 'withTenant'>,
  keyring: Keys,
  principal: Principal,
  rotationId: string,
  options: SweepOptions,
): Promise<SweepProgress> {
  let batches = 0;
  for (;;) {
    let progress: SweepProgress;
    try {
      progress = await db.withTenant(principal, (tx) =>
        sweepBatch(tx, keyring, rotationId, options),
      );
    } catch (error) {
      await markFailed(db, principal, rotationId, error);
      throw error;
    }
    batches += 1;
    if (progress.status !== 'running') return progress;
    if (options.maxBatches !== undefined && batches >= options.maxBatches) return progress;
    if (options.signal?.aborted === true) return progress;
  }
}

async function markFailed(
  db: Pick<Database, 'withTenant'>,
  principal: Principal,
  rotationId: string,
  error: unknown,
): Promise<void> {
  // Codes and our own messages only: they name versions and counts, never data.
  const text = isAppError(error) ? `${error.code}: ${error.message}` : 'internal';
  await db
    .withTenant(principal, (tx) =>
      tx
        .updateTable('key_rotations')
        .set({ status: 'failed', error: text.slice(0, 500) })
        .where('id', '=', rotationId)
        .where('status', 'in', ['pending', 'running'])
        .execute(),
    )
    .catch(() => undefined);
}
