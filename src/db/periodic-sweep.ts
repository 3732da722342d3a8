/**
 * A sweep run as a pg-boss job on a `stately` queue. pg-boss's own cron is
 * off in Wardroom (db/jobs.ts starts it with `schedule: false`), so each
 * server process with the job worker sends a sweep job at start and every
 * `intervalMs` (default one hour); the `stately` policy keeps at most one
 * sweep queued and one running across all processes. The sweeps themselves
 * claim their work before acting, so a repeated sweep does nothing twice.
 * A sweep that throws is retried by pg-boss. Used by the privacy reminders,
 * the scheduled deletions and the post-cancellation purge.
 */
import type { JobQueue } from './jobs.js';

export interface SweepWorker {
  /** Stops the timer and the worker; a running sweep finishes first. */
  stop(): Promise<void>;
}

export interface SweepWorkerOptions<R> {
  /** How often a sweep is queued (default one hour); the first goes at once. */
  readonly intervalMs?: number;
  readonly onSwept?: (result: R) => void;
  readonly onError?: (error: unknown) => void;
}

/** Works `queue` with `sweep`, and queues a sweep now and every interval. */
export async function startPeriodicSweep<R>(
  boss: JobQueue,
  queue: string,
  sweep: (onError: (error: unknown) => void) => Promise<R>,
  options: SweepWorkerOptions<R> = {},
): Promise<SweepWorker> {
  const onError = (error: unknown): void => options.onError?.(error);
  const workerId = await boss.work(queue, { batchSize: 1, pollingIntervalSeconds: 2 }, async () => {
    options.onSwept?.(await sweep(onError));
  });
  const queueSweep = (): void => {
    boss.send(queue, {}).catch(onError);
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
