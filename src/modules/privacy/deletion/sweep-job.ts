/**
 * The deletion sweep as a pg-boss job, like the reminders (reminder-job.ts):
 * each process with the job worker queues a sweep at start and every
 * `intervalMs` (default one hour); the queue's `stately` policy keeps at most
 * one queued and one running across processes, and the claim in sweep.ts
 * makes a repeated sweep run nothing twice. `wardroom privacy run-due`
 * queues one now (`queueDeletionSweep`).
 */
import type { JobQueue } from '../../../db/jobs.js';
import {
  startPeriodicSweep,
  type SweepWorker,
  type SweepWorkerOptions,
} from '../../../db/periodic-sweep.js';
import { runDueDeletions, type SweepDeps, type SweepResult } from './sweep.js';

export const DELETION_QUEUE = 'wardroom-privacy-deletions';

/** Declares the queue (at install time, with the other queues: `migrate`). */
export async function ensureDeletionQueue(boss: JobQueue): Promise<void> {
  await boss.createQueue(DELETION_QUEUE, {
    name: DELETION_QUEUE,
    policy: 'stately',
    retryLimit: 3,
    retryDelay: 60,
    expireInSeconds: 900,
  });
}

/** Queues a sweep now; null when one is already queued (stately). */
export function queueDeletionSweep(boss: JobQueue): Promise<string | null> {
  return boss.send(DELETION_QUEUE, {});
}

export type DeletionWorker = SweepWorker;

export type DeletionWorkerOptions = SweepWorkerOptions<SweepResult>;

export async function startDeletionWorker(
  boss: JobQueue,
  deps: SweepDeps,
  options: DeletionWorkerOptions = {},
): Promise<DeletionWorker> {
  await ensureDeletionQueue(boss);
  return startPeriodicSweep(
    boss,
    DELETION_QUEUE,
    (onError) => runDueDeletions(deps, onError),
    options,
  );
}
