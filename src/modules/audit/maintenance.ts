/**
 * Background upkeep of the audit log in a running server: signs every
 * workspace's chain head each interval, and keeps next month's partition
 * created ahead of time (rows outside every partition land in the default
 * partition, which still works but is slower to archive).
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Database } from '../../db/database.js';
import { checkpointAll } from './checkpoints.js';
import type { AuditSigner } from './signer.js';

export interface Maintenance {
  stop(): Promise<void>;
}

export function startAuditMaintenance(deps: {
  db: Pick<Database, 'withTenant' | 'withSystem'>;
  signer: AuditSigner;
  config: Pick<Config, 'auditCheckpointDir' | 'auditCheckpointInterval'>;
  logger: Pick<Logger, 'info' | 'error'>;
}): Maintenance {
  const { db, signer, config, logger } = deps;
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= (async () => {
      try {
        await db.withSystem('audit: create next month partition', (tx) =>
          sql`select wardroom.ensure_audit_partition((current_date + interval '1 month')::date)`.execute(
            tx,
          ),
        );
        const written = await checkpointAll(db, signer, config.auditCheckpointDir);
        if (written > 0) logger.info({ written }, 'audit checkpoints signed');
      } catch (error) {
        // Don't stop the schedule on one failure: the next tick retries.
        logger.error({ err: error }, 'audit maintenance failed');
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
  return {
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await running;
    },
  };
}
