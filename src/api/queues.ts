/**
 * Every job queue the application uses, in one list: `migrate` declares
 * them (a pg-boss queue is a table partition, so DDL, which the running
 * server's jobs role may not do).
 */
import type { JobQueue } from '../db/jobs.js';
import { ensureRotationQueue } from '../modules/keys/index.js';
import { ensureReminderQueue } from '../modules/privacy/index.js';

export async function declareQueues(queue: JobQueue): Promise<void> {
  await ensureRotationQueue(queue);
  await ensureReminderQueue(queue);
}
