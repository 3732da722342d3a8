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

export interface PurgeWorker {
  /** Stops the timer and the worker; a running sweep finishes first. */
  stop(): Promise<void>;
}

export interface PurgeWorkerOptions {
  /** How often a sweep is queued (default one hour); the first goes at once. */
  readonly intervalMs?: number;
  readonly onSwept?: (result: SweepResult) => void;
  readonly onError?: (error: unknown) => void;
}

export async function startPurgeWorker(
  boss: JobQueue,
  deps: PurgeDeps,
  options: PurgeWorkerOptions = {},
): Promise<PurgeWorker> {
  await ensurePurgeQueue(boss);
  const workerId = await boss.work(
    PURGE_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: 2 },
    async () => {
      const result = await sweepPurges(deps, (error) => options.onError?.(error));
      options.onSwept?.(result);
    },
  );
  const queueSweep = (): void => {
    boss.send(PURGE_QUEUE, {}).catch((error: unknown) => options.onError?.(error));
  };
  queueSweep();
  const timer = setInterval(queueSweep, options.intervalMs ?? 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await boss.offWork({ id: workerId });
    },
  };
}
