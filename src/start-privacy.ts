/**
 * Part of the composition root (app.ts): contacts' privacy index keys, the
 * public opt-out's dependencies (its emails through the server's mailer, its
 * deletions as pg-boss jobs) and the opt-out worker; the privacy request
 * reminders' worker; and the list of every queue of the application, which
 * `migrate` declares.
 */
import type { Logger } from 'pino';
import type { Config } from './base/config.js';
import type { Database } from './db/database.js';
import type { JobQueue } from './db/jobs.js';
import type { ServerOptOut } from './api/server.js';
import {
  DEFAULT_OPTOUT_SETTINGS,
  ensureOptOutQueue,
  jobScheduler,
  startOptOutWorker,
  type OptOutWorker,
  type PrivacyKeys,
} from './modules/contacts/index.js';
import { ensureRotationQueue } from './modules/keys/index.js';
import {
  ensureReminderQueue,
  startReminderWorker,
  type ReminderWorker,
} from './modules/privacy/index.js';
import { optOutMailer, type Mailer } from './modules/mail/index.js';
import { ensurePurgeQueue, startPurgeWorker, type PurgeWorker } from './modules/billing/index.js';
import type { Signer } from './modules/crypto/index.js';
import type { Keyring } from './modules/keys/index.js';
import type { Storage } from './modules/storage/index.js';

/** Every queue of the application, declared by `migrate`. */
export async function declareQueues(queue: JobQueue): Promise<void> {
  await ensureRotationQueue(queue);
  await ensureOptOutQueue(queue);
  await ensureReminderQueue(queue);
  await ensurePurgeQueue(queue);
}

/**
 * What the server needs for privacy: the keys (contacts' blind indexes) and
 * the public opt-out, its emails through this server's mailer, its
 * deletions as jobs.
 */
export function serverPrivacy(
  config: Config,
  logger: Logger,
  deps: { keys: PrivacyKeys; mailer: Mailer; jobs: () => Promise<JobQueue> },
): { privacyKeys: PrivacyKeys; optOut: ServerOptOut } {
  return { privacyKeys: deps.keys, optOut: serverOptOut(config, logger, deps) };
}

function serverOptOut(
  config: Config,
  logger: Logger,
  deps: { keys: PrivacyKeys; mailer: Mailer; jobs: () => Promise<JobQueue> },
): ServerOptOut {
  return {
    keys: deps.keys,
    mailer: optOutMailer(deps.mailer),
    scheduler: jobScheduler(deps.jobs),
    settings: { ...DEFAULT_OPTOUT_SETTINGS, delayDays: config.optOutDelayDays },
    limits: {
      perAddressPerHour: config.optOutLimitPerAddress,
      perIpPerHour: config.optOutLimitPerIp,
    },
    onError: (err) => logger.error({ err }, 'sending an opt-out email failed'),
  };
}

/** The worker that deletes opted-out contacts when their jobs come due. */
export async function startOptOutBackground(
  queue: JobQueue,
  deps: { db: Database; keys: PrivacyKeys; logger: Logger },
): Promise<OptOutWorker> {
  const { logger } = deps;
  return startOptOutWorker(
    queue,
    { db: deps.db, keys: deps.keys },
    {
      onApplied: (result) => logger.info(result, 'opt-out applied'),
      onError: (err) => logger.error({ err }, 'opt-out deletion failed; will retry'),
    },
  );
}

/** The worker that emails admins about privacy requests near or past their deadline. */
export async function startReminderBackground(
  queue: JobQueue,
  deps: { db: Database; mailer: Mailer; logger: Logger },
): Promise<ReminderWorker> {
  const { logger } = deps;
  return startReminderWorker(
    queue,
    { db: deps.db, mailer: deps.mailer, clock: () => new Date() },
    { onError: (err) => logger.error({ err }, 'privacy request reminders failed') },
  );
}

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
