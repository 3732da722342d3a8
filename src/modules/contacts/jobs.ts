/**
 * The opt-out deletion as a pg-boss job: one per confirmed opt-out, sent to
 * start at its due date (`startAfter`), keyed by the suppression id so a
 * second send is a no-op. The job data is that id only (no address, no
 * hash). At worker start every suppression not yet applied is sent again,
 * so an opt-out confirmed just before a crash (entry committed, job not yet
 * sent) is still applied; pg-boss retries a failed job.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.js';
import type { JobQueue } from '../../db/jobs.js';
import { applyOptOut, type OptOutApplied } from './apply.js';
import type { PrivacyKeys } from './blind-index.js';
import type { OptOutScheduler } from './optout.js';

export const OPTOUT_QUEUE = 'wardroom-privacy-optout';

const jobData = z.strictObject({ suppression_id: z.uuid() });

export async function ensureOptOutQueue(boss: JobQueue): Promise<void> {
  await boss.createQueue(OPTOUT_QUEUE, {
    name: OPTOUT_QUEUE,
    retryLimit: 20,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 900,
  });
}

/** Sends the job for a suppression to start at `dueAt`. */
export function jobScheduler(jobs: () => Promise<JobQueue>): OptOutScheduler {
  return {
    async schedule(suppressionId, dueAt) {
      const boss = await jobs();
      await boss.send(
        OPTOUT_QUEUE,
        { suppression_id: suppressionId },
        { startAfter: dueAt, singletonKey: suppressionId },
      );
    },
  };
}

export interface OptOutWorker {
  stop(): Promise<void>;
}

export async function startOptOutWorker(
  boss: JobQueue,
  deps: { db: Pick<Database, 'withSystem' | 'withTenant'>; keys: PrivacyKeys },
  options: {
    onApplied?: (result: OptOutApplied) => void;
    onError?: (error: unknown) => void;
  } = {},
): Promise<OptOutWorker> {
  await ensureOptOutQueue(boss);
  const pending = (
    await deps.db.withSystem('privacy: pending opt-outs', (tx) =>
      tx.call('privacy_suppressions_pending'),
    )
  )[0] as { id: string; due_at: string }[] | null | undefined;
  const scheduler = jobScheduler(() => Promise.resolve(boss));
  for (const entry of pending ?? []) await scheduler.schedule(entry.id, new Date(entry.due_at));
  const workerId = await boss.work<unknown>(
    OPTOUT_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: 1 },
    async (jobs) => {
      for (const job of jobs) {
        try {
          const { suppression_id } = jobData.parse(job.data);
          const result = await applyOptOut(deps.db, deps.keys, suppression_id);
          if (result !== null) options.onApplied?.(result);
        } catch (error) {
          options.onError?.(error);
          throw error;
        }
      }
    },
  );
  return {
    async stop() {
      await boss.offWork({ id: workerId });
    },
  };
}
