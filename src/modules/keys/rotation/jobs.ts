/**
 * The sweep as background jobs: one pg-boss job per workspace rotation.
 * The job data is ids plus who asked for the rotation, sealed with the
 * workspace's key (job-payload.ts). A job runs the sweep for at most a
 * slice of time, then queues its own continuation, so jobs stay short and
 * a worker that dies is replaced once its job expires (the checkpoint in
 * key_rotations makes the restart exact).
 */
import { z } from 'zod';
import type { Database } from '../../../db/database.js';
import {
  ACTOR_TYPES,
  queuedPrincipal,
  systemPrincipal,
  type Principal,
} from '../../../db/principal.js';
import type { JobQueue } from '../../../db/jobs.js';
import { openJobPayload, sealJobPayload, sealedJobPayload } from '../job-payload.js';
import type { Keyring } from '../keyring.js';
import { runSweep, type SweepProgress } from './sweep.js';

export const ROTATION_QUEUE = 'wardroom-key-rotation';

const jobData = z.strictObject({
  tenant_id: z.uuid(),
  rotation_id: z.uuid(),
  requested_by: sealedJobPayload,
});
type JobData = z.infer<typeof jobData>;

const requester = z.strictObject({
  actor_type: z.enum(ACTOR_TYPES),
  actor_id: z.string().max(200),
  actor_name: z.string().max(200).optional(),
});

export async function ensureRotationQueue(boss: JobQueue): Promise<void> {
  await boss.createQueue(ROTATION_QUEUE, {
    name: ROTATION_QUEUE,
    retryLimit: 10,
    retryDelay: 5,
    retryBackoff: true,
    // Well above one slice: a job still active after this was lost with its worker.
    expireInSeconds: 600,
  });
}

/** Queues the sweep of a started rotation, on behalf of `principal`. */
export async function enqueueRotation(
  boss: JobQueue,
  deps: { db: Pick<Database, 'withTenant'>; keyring: Pick<Keyring, 'seal'> },
  rotation: { tenantId: string; rotationId: string },
  principal: Principal,
): Promise<void> {
  await ensureRotationQueue(boss);
  const requestedBy = await deps.db.withTenant(principal, (tx) =>
    sealJobPayload(tx, deps.keyring, {
      actor_type: principal.actorType,
      actor_id: principal.actorId,
      ...(principal.actorName === undefined ? {} : { actor_name: principal.actorName }),
    }),
  );
  const data: JobData = {
    tenant_id: rotation.tenantId,
    rotation_id: rotation.rotationId,
    requested_by: requestedBy,
  };
  await boss.send(ROTATION_QUEUE, data);
}

export interface RotationWorkerOptions {
  readonly batchSize: number;
  /** Batches of one sweep committing at once (default SWEEP_WRITERS). */
  readonly writers?: number;
  /** Seconds a job sweeps before it queues its continuation (default 60). */
  readonly sliceSeconds?: number;
  readonly onProgress?: (progress: SweepProgress) => void;
  readonly onError?: (error: unknown) => void;
}

export interface RotationWorker {
  /** Stops taking jobs; a running sweep stops after its batch and queues its continuation. */
  stop(): Promise<void>;
}

export async function startRotationWorker(
  boss: JobQueue,
  deps: { db: Pick<Database, 'withTenant'>; keyring: Pick<Keyring, 'open' | 'reseal'> },
  options: RotationWorkerOptions,
): Promise<RotationWorker> {
  await ensureRotationQueue(boss);
  const stopping = new AbortController();
  const running = new Set<Promise<unknown>>();

  async function handle(raw: unknown): Promise<void> {
    const data = jobData.parse(raw);
    const asked = requester.parse(
      await deps.db.withTenant(systemPrincipal(data.tenant_id, 'key-rotation'), (tx) =>
        openJobPayload(tx, deps.keyring, data.requested_by),
      ),
    );
    const principal = queuedPrincipal(data.tenant_id, {
      type: asked.actor_type,
      id: asked.actor_id,
      ...(asked.actor_name === undefined ? {} : { name: asked.actor_name }),
    });
    const slice = AbortSignal.timeout((options.sliceSeconds ?? 60) * 1000);
    const progress = await runSweep(deps.db, deps.keyring, principal, data.rotation_id, {
      batchSize: options.batchSize,
      ...(options.writers === undefined ? {} : { writers: options.writers }),
      signal: AbortSignal.any([slice, stopping.signal]),
      ...(options.onProgress === undefined ? {} : { onBatch: options.onProgress }),
    });
    if (progress.status === 'running') await boss.send(ROTATION_QUEUE, data);
  }

  const workerId = await boss.work<unknown>(
    ROTATION_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: 0.5 },
    async (jobs) => {
      for (const job of jobs) {
        const task = handle(job.data);
        running.add(task);
        try {
          await task;
        } catch (error) {
          options.onError?.(error);
          throw error;
        } finally {
          running.delete(task);
        }
      }
    },
  );
  return {
    async stop() {
      stopping.abort();
      await boss.offWork({ id: workerId });
      await Promise.allSettled([...running]);
    },
  };
}
