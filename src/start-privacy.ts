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
  ensureDeletionQueue,
  ensureExportQueue,
  ensureReminderQueue,
  receiptKey,
  startDeletionWorker,
  startExportWorker,
  startReminderWorker,
  type DeletionSettings,
  type DeletionWorker,
  type ExportMailer,
  type ExportWorker,
  type ReminderWorker,
} from './modules/privacy/index.js';
import type { Keyring } from './modules/keys/index.js';
import type { Storage } from './modules/storage/index.js';
import { clockFor, type Clock } from './base/clock.js';
import { optOutMailer, type Mailer } from './modules/mail/index.js';
import { ensurePurgeQueue } from './modules/billing/index.js';

/** Every queue of the application, declared by `migrate`. */
export async function declareQueues(queue: JobQueue): Promise<void> {
  await ensureRotationQueue(queue);
  await ensureOptOutQueue(queue);
  await ensureReminderQueue(queue);
  await ensureExportQueue(queue);
  await ensureDeletionQueue(queue);
  await ensurePurgeQueue(queue);
}

/** The clock of deadlines and deletions: the system's, or the test clock (said loudly). */
export function privacyClock(config: Config, logger: Logger): Clock {
  if (config.testClockFile !== undefined) {
    logger.warn(
      { file: config.testClockFile },
      'USING A TEST CLOCK (WARDROOM_TEST_CLOCK_FILE): deletions and privacy deadlines follow the time in this file, not the real time. Never in production.',
    );
  }
  return clockFor(config);
}

/** Scheduled deletions' settings: the cooling-off, the receipt key (from the auth secret), mail. */
export function deletionSettings(
  config: Config,
  authSecret: Buffer,
  mailer: Mailer,
): DeletionSettings {
  return {
    coolingOffDays: config.deletionCoolingOffDays,
    receiptKey: receiptKey(authSecret),
    mailer,
  };
}

/** The worker that runs deletions whose cooling-off has passed (at start, then hourly). */
export async function startDeletionBackground(
  queue: JobQueue,
  deps: {
    db: Database;
    keyring: Keyring;
    clock: Clock;
    settings: DeletionSettings;
    logger: Logger;
  },
): Promise<DeletionWorker> {
  const { logger } = deps;
  return startDeletionWorker(
    queue,
    { db: deps.db, keyring: deps.keyring, clock: deps.clock, ...deps.settings },
    {
      onSwept: (result) => {
        if (result.claimed > 0) logger.info(result, 'scheduled deletions run');
      },
      onError: (err) => logger.error({ err }, 'a scheduled deletion failed; will retry'),
    },
  );
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
  deps: { db: Database; mailer: Mailer; logger: Logger; clock?: Clock },
): Promise<ReminderWorker> {
  const { logger } = deps;
  return startReminderWorker(
    queue,
    { db: deps.db, mailer: deps.mailer, clock: deps.clock ?? (() => new Date()) },
    { onError: (err) => logger.error({ err }, 'privacy request reminders failed') },
  );
}

/** The worker that runs exports (privacy/export/job.ts) queued by the export route. */
export async function startExportBackground(
  queue: JobQueue,
  deps: {
    db: Database;
    keyring: Keyring;
    storage: Storage;
    exportMailer: ExportMailer;
    logger: Logger;
  },
): Promise<ExportWorker> {
  const { logger } = deps;
  return startExportWorker(
    queue,
    {
      db: deps.db,
      keyring: deps.keyring,
      storage: deps.storage,
      mailer: deps.exportMailer,
      clock: () => new Date(),
    },
    {
      onDone: (outcome, exportId) => logger.info({ outcome, exportId }, 'privacy export job'),
      onError: (err) => logger.error({ err }, 'privacy export failed; will retry'),
    },
  );
}
