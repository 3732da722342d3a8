/**
 * Part of the composition root (app.ts): what a running Wardroom has started,
 * recorded as it starts so that a failed startup and `close()` stop exactly
 * that, in order.
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Database } from './db/database.js';
import type { RunningJobQueue } from './db/jobs.js';
import type { Maintenance } from './modules/audit/index.js';
import type { BudgetGuardService } from './modules/budgets/index.js';
import type { OptOutWorker } from './modules/contacts/index.js';
import type { Gateway } from './modules/gateway/index.js';
import type { Keyring, RotationWorker } from './modules/keys/index.js';
import type { Mailer } from './modules/mail/index.js';
import type { DeletionWorker, ExportWorker, ReminderWorker } from './modules/privacy/index.js';
import type { PurgeWorker } from './modules/billing/index.js';
import type { Storage } from './modules/storage/index.js';

export interface Running {
  budget?: BudgetGuardService;
  gateway?: Gateway;
  stopCacheEvents?: () => Promise<void>;
  db?: Database;
  redis?: Redis | undefined;
  mailer?: Mailer;
  storage?: Storage;
  maintenance?: Maintenance;
  queue?: Promise<RunningJobQueue>;
  worker?: RotationWorker;
  optOutWorker?: OptOutWorker;
  reminders?: ReminderWorker;
  exports?: ExportWorker;
  deletions?: DeletionWorker;
  purge?: PurgeWorker;
}

/** Stops the background work (once: each part is forgotten as it stops). */
export async function stopBackground(running: Running): Promise<void> {
  const { maintenance, worker, optOutWorker, reminders, deletions, queue, gateway, budget } =
    running;
  const { exports, purge, stopCacheEvents } = running;
  delete running.exports;
  delete running.purge;
  delete running.maintenance;
  delete running.gateway;
  delete running.worker;
  delete running.optOutWorker;
  delete running.reminders;
  delete running.deletions;
  delete running.queue;
  delete running.budget;
  delete running.stopCacheEvents;
  await gateway?.idle(); // what follows the answers already given, and the notices it started
  await budget?.idle();
  await stopCacheEvents?.();
  await maintenance?.stop();
  await worker?.stop();
  await optOutWorker?.stop();
  await reminders?.stop();
  await exports?.stop();
  await deletions?.stop();
  await purge?.stop();
  await queue?.then(
    (q) => q.stop({ graceful: true, timeout: 5000 }),
    () => undefined,
  );
}

/** Background work, the server, the closing work of calls answered meanwhile, then the rest. */
export async function closeWardroom(
  running: Running,
  parts: { server: FastifyInstance; gateway: Gateway; keyring: Keyring },
  release: () => Promise<void>,
): Promise<void> {
  await stopBackground(running);
  await parts.server.close();
  await parts.gateway.idle();
  await release();
  parts.keyring.forgetAll();
}
