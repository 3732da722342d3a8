/**
 * The reminders as a pg-boss job. pg-boss's own cron is off in Wardroom
 * (db/jobs.ts starts it with `schedule: false`), so each server process
 * with the job worker sends a sweep job every `intervalMs`; the queue's
 * `stately` policy keeps at most one sweep queued and one running across
 * all processes, and the claim in reminders.ts makes a repeated sweep send
 * nothing twice. A sweep that fails is retried by pg-boss.
 */
import type { JobQueue } from '../../db/jobs.js';
import {
  startPeriodicSweep,
  type SweepWorker,
  type SweepWorkerOptions,
} from '../../db/periodic-sweep.js';
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

export type ReminderWorker = SweepWorker;

export type ReminderWorkerOptions = SweepWorkerOptions<ReminderResult>;

export async function startReminderWorker(
  boss: JobQueue,
  deps: ReminderDeps,
  options: ReminderWorkerOptions = {},
): Promise<ReminderWorker> {
  await ensureReminderQueue(boss);
  return startPeriodicSweep(
    boss,
    REMINDER_QUEUE,
    (onError) => sendReminders(deps, onError),
    options,
  );
}
