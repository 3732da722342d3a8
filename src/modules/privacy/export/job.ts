/**
 * Exports as pg-boss jobs: the route records the export (queued) and, once
 * that is committed, sends one job keyed by the export id; a worker runs it
 * (run-export.ts). The job data is two ids, nothing personal. pg-boss
 * retries a failed job with a growing delay, and a job whose worker died is
 * handed out again once it expires; the run is idempotent (a finished
 * export is skipped, a restarted one rewrites the same object).
 */
import { z } from 'zod';
import type { JobQueue } from '../../../db/jobs.js';
import { runExportJob, type ExportJobDeps, type ExportJobOutcome } from './run-export.js';

export const EXPORT_QUEUE = 'wardroom-privacy-export';

const jobData = z.strictObject({ tenant_id: z.uuid(), export_id: z.uuid() });

/** Declares the queue (at install time, with the other queues: `migrate`). */
export async function ensureExportQueue(boss: JobQueue): Promise<void> {
  await boss.createQueue(EXPORT_QUEUE, {
    name: EXPORT_QUEUE,
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
    // An export of a large workspace takes a minute or so; a job still active
    // after this lost its worker and is handed out again.
    expireInSeconds: 1800,
  });
}

/** Where the route sends an export once its record is committed. */
export interface ExportScheduler {
  schedule(tenantId: string, exportId: string): Promise<void>;
}

export function exportJobScheduler(jobs: () => Promise<JobQueue>): ExportScheduler {
  return {
    async schedule(tenantId, exportId) {
      const boss = await jobs();
      await boss.send(
        EXPORT_QUEUE,
        { tenant_id: tenantId, export_id: exportId },
        { singletonKey: exportId },
      );
    },
  };
}

export interface ExportWorker {
  /** Stops taking jobs; a running export finishes first. */
  stop(): Promise<void>;
}

export async function startExportWorker(
  boss: JobQueue,
  deps: ExportJobDeps,
  options: {
    readonly onDone?: (outcome: ExportJobOutcome, exportId: string) => void;
    readonly onError?: (error: unknown) => void;
  } = {},
): Promise<ExportWorker> {
  await ensureExportQueue(boss);
  const workerId = await boss.work<unknown>(
    EXPORT_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true },
    async (jobs) => {
      for (const job of jobs) {
        try {
          const data = jobData.parse(job.data);
          const outcome = await runExportJob(
            deps,
            { tenantId: data.tenant_id, exportId: data.export_id },
            { final: job.retryCount >= job.retryLimit },
          );
          options.onDone?.(outcome, data.export_id);
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
