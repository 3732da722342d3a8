/**
 * Part of the composition root (app.ts): the worker of the billing module's
 * post-cancellation purge.
 */
import type { Logger } from 'pino';
import type { Database } from './db/database.js';
import type { JobQueue } from './db/jobs.js';
import { startPurgeWorker, type PurgeWorker } from './modules/billing/index.js';
import type { Signer } from './modules/crypto/index.js';
import type { Keyring } from './modules/keys/index.js';
import type { Mailer } from './modules/mail/index.js';
import type { Storage } from './modules/storage/index.js';

/**
 * The worker of the post-cancellation purge: warnings 7 days and 1 day
 * before, then the shred, the objects' deletion and the receipt to owners
 * (modules/billing/purge). Hourly, like the reminders.
 */
export async function startPurgeBackground(
  queue: JobQueue,
  deps: {
    db: Database;
    keyring: Keyring;
    signer: Signer;
    storage: Storage;
    mailer: Mailer;
    logger: Logger;
  },
): Promise<PurgeWorker> {
  const { logger } = deps;
  return startPurgeWorker(
    queue,
    {
      db: deps.db,
      keyring: deps.keyring,
      signer: deps.signer,
      storage: deps.storage,
      mailer: deps.mailer,
      clock: () => new Date(),
      onStep: (step, workspaceId) => logger.info({ step, workspaceId }, 'workspace purge'),
    },
    { onError: (err) => logger.error({ err }, 'workspace purge sweep failed; will retry') },
  );
}
