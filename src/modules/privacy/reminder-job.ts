/**
 * The reminders as a pg-boss job. pg-boss's own cron is off in Wardroom
 * (db/jobs.ts starts it with `schedule: false`), so each server process
 * with the job worker sends a sweep job every `intervalMs`; the queue's
 * `stately` policy keeps at most one sweep queued and one running across
 * all processes, and the claim in reminders.ts makes a repeated sweep send
 * nothing twice. A sweep that fails is retried by pg-boss.
 */
import type { JobQueue } from '../../db/jobs.js';
import { sendReminders, type ReminderDeps, type ReminderResult } from './reminders.js';

export const REMINDER_QUEUE = 'wardroom-privacy-reminders';

/** Declares the queue (at install time, with the other queues: `migrate`). */
export async function ensureReminderQueue(boss: JobQueue): Promise<void> {
  await boss.createQueue(REMINDER_QUEUE, {
    name: REMINDER_QUEUE,
    policy: 'stately',
    retryLimit: 3,
    retryDelay: 60,
    expireInSeconds: 900,
  });
}

export interface ReminderWorker {
  /** Stops the timer and the worker; a running sweep finishes first. */
  stop(): Promise<void>;
}

export interface ReminderWorkerOptions {
  /** How often a sweep is queued (default one hour); the first goes at once. */
  readonly intervalMs?: number;
  readonly onSwept?: (result: ReminderResult) => void;
  readonly onError?: (error: unknown) => void;
}

export async function startReminderWorker(
  boss: JobQueue,
  deps: ReminderDeps,
  options: ReminderWorkerOptions = {},
): Promise<ReminderWorker> {
  await ensureReminderQueue(boss);
  const workerId = await boss.work(
    REMINDER_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: 2 },
    async () => {
      const result = await sendReminders(deps, (error) => options.onError?.(error));
      options.onSwept?.(result);
    },
  );
  const queueSweep = (): void => {
    boss.send(REMINDER_QUEUE, {}).catch((error: unknown) => options.onError?.(error));
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
