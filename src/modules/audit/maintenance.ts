/**
 * Background upkeep of the audit log in a running server: chains
 * newly committed events every few hundred milliseconds, signs every
 * workspace's chain head each checkpoint interval, then verifies a bounded
 * number of workspaces' chains (scheduled-verify.ts), and keeps next month's
 * partition created ahead of time (rows outside every partition land in the
 * default partition, which still works but is slower to archive).
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../base/config.js';
import type { Database } from '../../db/database.js';
import { checkpointAll } from './checkpoints.js';
import { createScheduledVerifier } from './scheduled-verify.js';
import type { AuditSigner } from './signer.js';

export interface Maintenance {
  stop(): Promise<void>;
}

export function startAuditMaintenance(deps: {
  db: Pick<Database, 'withTenant' | 'withSystem'>;
  signer: AuditSigner;
  config: Pick<
    Config,
    | 'auditCheckpointDir'
    | 'auditCheckpointInterval'
    | 'auditSealIntervalMs'
    | 'auditVerifyWorkspaces'
  >;
  logger: Pick<Logger, 'info' | 'error'>;
}): Maintenance {
  const { db, signer, config, logger } = deps;
  const verifier = createScheduledVerifier({
    db,
    publicKey: signer.publicKey,
    checkpointDir: config.auditCheckpointDir,
    perRun: config.auditVerifyWorkspaces,
    logger,
  });
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= (async () => {
      try {
        await db.withSystem('audit: create next month partition', (tx) =>
          tx.call('ensure_audit_partition', sql`(current_date + interval '1 month')::date`),
        );
        const written = await checkpointAll(db, signer, config.auditCheckpointDir);
        if (written > 0) logger.info({ written }, 'audit checkpoints signed');
      } catch (error) {
        // Don't stop the schedule on one failure: the next tick retries.
        logger.error({ err: error }, 'audit maintenance failed');
      }
      try {
        // After the checkpoints, so each verification includes the newest one.
        await verifier.run();
      } catch (error) {
        logger.error({ err: error }, 'scheduled audit verification failed to run');
      } finally {
        running = undefined;
      }
    })();
  };
  const timer =
    config.auditCheckpointInterval === 0
      ? undefined
      : setInterval(tick, config.auditCheckpointInterval * 1000);
  timer?.unref();
  const chainer = startChainer(db, config.auditSealIntervalMs, logger);
  return {
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await chainer.stop();
      await running;
    },
  };
}

/** Chains pending events in a loop; one pass at a time, never overlapping. */
function startChainer(
  db: Pick<Database, 'withSystem'>,
  intervalMs: number,
  logger: Pick<Logger, 'error'>,
): Maintenance {
  let pass: Promise<void> | undefined;
  const tick = () => {
    pass ??= db
      .withSystem('audit: chain committed events', (tx) => tx.call('audit_seal_pending', 10000))
      .then(
        () => undefined,
        (error: unknown) => {
          logger.error({ err: error }, 'audit chaining failed');
        },
      )
      .finally(() => {
        pass = undefined;
      });
  };
  const timer = intervalMs === 0 ? undefined : setInterval(tick, intervalMs);
  timer?.unref();
  return {
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await pass;
    },
  };
}
