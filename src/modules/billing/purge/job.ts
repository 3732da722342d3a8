/**
 * The purge sweep as a pg-boss job, like the privacy reminders
 * (privacy/reminder-job.ts): each server process with the job worker queues
 * a sweep at start and every `intervalMs` (default hourly); the queue's
 * `stately` policy keeps at most one queued and one running across all
 * processes. A periodic sweep rather than one far-future job per workspace:
 * a reactivation or the owner's toggle only changes the row, and a purge
 * left half-done by a killed worker is found and finished by the next sweep.
 */
import type { JobQueue } from '../../../db/jobs.js';
import {
  startPeriodicSweep,
  type SweepWorker,
  type SweepWorkerOptions,
} from '../../../db/periodic-sweep.js';
import { sweepPurges, type PurgeDeps, type SweepResult } from './sweep.js';

export const PURGE_QUEUE = 'wardroom-workspace-purge';

/** Declares the queue (at install time, with the other queues: `migrate`). */
export async function ensurePurgeQueue(boss: JobQueue): Promise<void> {
  await boss.createQueue(PURGE_QUEUE, {
    name: PURGE_QUEUE,
    policy: 'stately',
    retryLimit: 3,
    retryDelay: 60,
    expireInSeconds: 1800,
  });
}

export type PurgeWorker = SweepWorker;

export type PurgeWorkerOptions = SweepWorkerOptions<SweepResult>;

export async function startPurgeWorker(
  boss: JobQueue,
  deps: PurgeDeps,
  options: PurgeWorkerOptions = {},
): Promise<PurgeWorker> {
  await ensurePurgeQueue(boss);
  return startPeriodicSweep(boss, PURGE_QUEUE, (onError) => sweepPurges(deps, onError), options);
}
