/**
 * The job queue: pg-boss on the same PostgreSQL, in its own schema
 * `wardroom_jobs`. pg-boss creates and migrates that schema itself, so it
 * connects with the administrative URL (DATABASE_URL, or the embedded
 * cluster's superuser), never as the app role, which must own nothing and
 * create nothing. Job rows are outside RLS: payloads carry ids only, and
 * anything tenant-specific is sealed with the tenant's key first
 * (modules/keys/job-payload.ts). Workers do all tenant work through
 * withTenant() as the app role.
 */
import PgBoss from 'pg-boss';
import { pgConnection } from './tls.js';

export const JOBS_SCHEMA = 'wardroom_jobs';

/**
 * What modules get: declare a queue, send a job, work and stop working one.
 * Not the connection pg-boss holds (it is administrative), nor its SQL.
 */
export type JobQueue = Pick<PgBoss, 'createQueue' | 'send' | 'work' | 'offWork'>;

/** The running queue as the composition root holds it: the same, and stop(). */
export type RunningJobQueue = JobQueue & Pick<PgBoss, 'stop'>;

export async function startJobQueue(
  adminUrl: string,
  options: {
    onError?: (error: Error) => void;
    supervise?: boolean;
    /** Another schema than wardroom_jobs (tests keep their queues apart). */
    schema?: string;
  } = {},
): Promise<RunningJobQueue> {
  const boss = new PgBoss({
    ...pgConnection(adminUrl),
    schema: options.schema ?? JOBS_SCHEMA,
    application_name: 'wardroom-jobs',
    max: 3,
    schedule: false,
    supervise: options.supervise ?? true,
  });
  boss.on('error', (error) => options.onError?.(error));
  await boss.start();
  return boss;
}
