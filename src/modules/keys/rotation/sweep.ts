/**
 * The re-encryption sweep of one rotation: re-seals every sealed field
 * still on a version below the rotation's, in batches.
 *
 * Each batch is prepared, then committed. Preparing reads the next rows
 * after the cursor (the query itself skips rows already on the new
 * version) and re-seals them in memory; it changes nothing. Committing is
 * one transaction that writes the rows back, each only while it still
 * holds the envelope it was read with, and advances the checkpoint in
 * key_rotations. Batches are prepared one after another while up to
 * `writers` earlier batches commit, each on its own connection, so the
 * database writes while this process reads and re-seals.
 *
 * No row is re-sealed twice and none is lost, whatever dies when:
 *   - a row already on the new version is never read again, and a write
 *     whose row changed since it was read (another worker, an API write)
 *     is skipped;
 *   - the checkpoint only moves from where a batch started to where it
 *     ended, so it never passes a batch that did not commit. Batches that
 *     commit out of order leave it behind; a restart then re-reads those
 *     rows and skips them.
 * Two workers on one rotation are safe for the same reasons (they just
 * duplicate reads). When every field is done, the sweep counts what is
 * still below the version (rows written meanwhile by a process whose key
 * cache was stale) and goes round again, at most MAX_PASSES times.
 */
import { isAppError } from '../../../base/errors.js';
import type { Principal } from '../../../db/principal.js';
import {
  commit,
  cursorOf,
  endPass,
  following,
  isFinal,
  loadRotation,
  prepare,
  progressOf,
  RotationEnded,
  type BatchOptions,
  type Cursor,
  type Db,
  type Keys,
  type Prepared,
  type SweepProgress,
} from './sweep-batch.js';

export { BATCH_BYTES, MAX_PASSES, type SweepProgress } from './sweep-batch.js';

/** Batches committing at once, by default. */
export const SWEEP_WRITERS = 2;

export interface SweepOptions extends BatchOptions {
  /** Batches committing at once, each on its own connection (default SWEEP_WRITERS). */
  readonly writers?: number;
  /** Stop (resumably) after this many batches. */
  readonly maxBatches?: number;
  /** Stop (resumably) between batches once this is aborted. */
  readonly signal?: AbortSignal;
}

/** Of two reports of one rotation, the later (batches may commit out of order). */
function latest(a: SweepProgress, b: SweepProgress): SweepProgress {
  return b.rowsDone >= a.rowsDone ? b : a;
}

/** One run of the sweep: what its passes and batches share. */
interface Run {
  readonly db: Db;
  readonly keyring: Keys;
  readonly principal: Principal;
  readonly rotationId: string;
  readonly options: SweepOptions;
  readonly writers: number;
  /**
   * Everything started and not yet awaited: settled before returning, even
   * when dropped (a prepared batch changed nothing, but its transaction must end).
   */
  readonly inFlight: Set<Promise<unknown>>;
  batches: number;
  /** A commit failed: start no more, and report it once the rest settle. */
  failing: boolean;
}

function track<T>(run: Run, p: Promise<T>): Promise<T> {
  run.inFlight.add(p);
  const untrack = () => run.inFlight.delete(p);
  p.then(untrack, untrack);
  return p;
}

function stopAsked(run: Run): boolean {
  const { options } = run;
  return (
    run.failing ||
    options.signal?.aborted === true ||
    (options.maxBatches !== undefined && run.batches >= options.maxBatches)
  );
}

/** Starts reading and re-sealing the batch at `from`. */
function prepareAt(run: Run, version: number, from: Cursor): Promise<Prepared> {
  return track(run, prepare(run.db, run.keyring, run.principal, version, from, run.options));
}

/** Starts committing a prepared batch; if that fails, the run stops. */
function commitBatch(run: Run, batch: Prepared): Promise<SweepProgress> {
  const committed = track(
    run,
    run.db.withTenant(run.principal, (tx) => commit(tx, run.rotationId, batch, run.options)),
  );
  committed.catch(() => {
    run.failing = true;
  });
  return committed;
}

/**
 * The batches of one pass, from `from`: each is prepared while up to
 * `writers` earlier ones commit. Returns the latest progress once every
 * batch started has committed; stops between batches when asked.
 */
async function sweepPass(
  run: Run,
  version: number,
  from: Cursor,
  before: SweepProgress,
): Promise<SweepProgress> {
  let progress = before;
  const committing: Promise<SweepProgress>[] = [];
  let ahead: Promise<Prepared> | undefined = prepareAt(run, version, from);
  while (ahead !== undefined) {
    const batch: Prepared = await ahead;
    // Asked to stop meanwhile: a prepared batch is dropped (it changed nothing).
    if (stopAsked(run)) break;
    const then = following(batch);
    run.batches += 1;
    // Read and re-seal the next batch while this one commits.
    ahead = then === null || stopAsked(run) ? undefined : prepareAt(run, version, then);
    if (committing.length >= run.writers) {
      const oldest = committing.shift();
      if (oldest !== undefined) progress = latest(progress, await oldest);
    }
    committing.push(commitBatch(run, batch));
  }
  for (const c of committing) progress = latest(progress, await c);
  return progress;
}

/** Runs passes until the rotation is finished or the run is asked to stop. */
async function sweepPasses(run: Run): Promise<SweepProgress> {
  const { db, principal, rotationId } = run;
  const rot = await db.withTenant(principal, (tx) => loadRotation(tx, rotationId, false));
  if (isFinal(rot)) return progressOf(rotationId, rot);
  let progress = progressOf(rotationId, rot);
  let cursor: Cursor | null = cursorOf(rot);
  while (cursor !== null) {
    const pass: number = cursor.pass;
    progress = await sweepPass(run, rot.to_version, cursor, progress);
    if (stopAsked(run)) return progress;
    const ended: { progress: SweepProgress; next: Cursor | null } = await db.withTenant(
      principal,
      (tx) => endPass(tx, rotationId, pass),
    );
    progress = ended.progress;
    cursor = ended.next;
  }
  return progress;
}

/** Runs batches until the rotation is finished, stopped or failed; records a failure's code. */
export async function runSweep(
  db: Db,
  keyring: Keys,
  principal: Principal,
  rotationId: string,
  options: SweepOptions,
): Promise<SweepProgress> {
  const run: Run = {
    db,
    keyring,
    principal,
    rotationId,
    options,
    writers: Math.max(1, options.writers ?? SWEEP_WRITERS),
    inFlight: new Set(),
    batches: 0,
    failing: false,
  };
  try {
    return await sweepPasses(run);
  } catch (error) {
    await Promise.allSettled([...run.inFlight]);
    if (error instanceof RotationEnded) {
      const rot = await db.withTenant(principal, (tx) => loadRotation(tx, rotationId, false));
      return progressOf(rotationId, rot);
    }
    await markFailed(db, principal, rotationId, error);
    throw error;
  } finally {
    await Promise.allSettled([...run.inFlight]);
  }
}

async function markFailed(db: Db, principal: Principal, rotationId: string, error: unknown) {
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
