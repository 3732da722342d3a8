/**
 * Composition root: config → database (embedded or configured) → migrations
 * → keys → modules → HTTP. `createWardroom(config)` is also the library
 * entry point for products that embed Wardroom instead of running it.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './base/config.js';
import { resolveDatabase, type DatabaseTarget } from './db/connect.js';
import { createDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { buildServer } from './api/server.js';
import { startJobQueue, type JobQueue, type RunningJobQueue } from './db/jobs.js';
import { createLogger } from './base/logger.js';
import {
  startAuditMaintenance,
  type Maintenance,
  loadAuditSigner,
  type AuditSigner,
} from './modules/audit/index.js';
import { createKekProvider, type KekProvider } from './modules/crypto/index.js';
import {
  createKeyring,
  type Keyring,
  subscribeKeyEvents,
  startRotationWorker,
  type RotationWorker,
} from './modules/keys/index.js';

export interface Wardroom {
  readonly config: Config;
  readonly logger: Logger;
  readonly target: DatabaseTarget;
  readonly db: Database;
  readonly keyring: Keyring;
  /** The master key provider (key rotation). */
  readonly kek: KekProvider;
  readonly auditSigner: AuditSigner;
  /** The job queue (pg-boss on the administrative connection), started on first use. */
  jobs(): Promise<JobQueue>;
  readonly server: FastifyInstance;
  close(): Promise<void>;
}

export interface CreateOptions {
  readonly logger?: Logger;
  /** Run migrations before starting (default true). */
  readonly migrate?: boolean;
  /**
   * Run background jobs: audit checkpoints and partitions, and (unless
   * WARDROOM_JOB_WORKER=off) the job worker for key re-encryption sweeps
   * (default true; the CLI turns them off).
   */
  readonly background?: boolean;
}

export async function createWardroom(
  config: Config,
  options: CreateOptions = {},
): Promise<Wardroom> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Fail fast on a missing production key before starting or migrating anything.
  const kek = await createKekProvider(config);
  const audit = await loadAuditSigner({
    seed: config.auditSigningKey,
    dataDir: config.dataDir,
    isProduction: config.env === 'production',
  });
  const target = await resolveDatabase(config, (msg) =>
    logger.debug({ component: 'embedded-postgres' }, msg),
  );
  // Whatever has started is stopped again if a later step of startup fails.
  let opened: Database | undefined;
  let maintenance: Maintenance | undefined;
  let queue: Promise<RunningJobQueue> | undefined;
  let worker: RotationWorker | undefined;
  try {
    if (options.migrate !== false) {
      const applied = await migrate({
        adminUrl: target.adminUrl,
        roles: target.roles,
        appPassword: target.appPassword,
        log: (msg) => logger.debug({ component: 'migrate' }, msg),
      });
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
    if (kek.developmentKeyFile !== undefined) {
      logger.warn(
        `USING A DEVELOPMENT MASTER KEY from ${kek.developmentKeyFile}. ` +
          'Anyone with this file can decrypt every workspace. Set WARDROOM_MASTER_KEY in production.',
      );
    } else {
      logger.info({ kek: kek.description }, 'master key provider');
    }
    const db = (opened = createDatabase({
      appUrl: target.appUrl,
      poolMax: config.poolMax,
      onSystemAccess: logSystemAccess(logger),
    }));
    if (audit.isDevelopmentKey) {
      logger.warn(
        'USING A DEVELOPMENT AUDIT SIGNING KEY. Set WARDROOM_AUDIT_SIGNING_KEY in production.',
      );
    }
    const keyring = createKeyring(kek.provider);
    // Rotation, a new minimum version or a shred in any process reaches this keyring at once.
    await subscribeKeyEvents(db, keyring, (event) => {
      if (event === 'reconnected') logger.warn('key events reconnected: cached keys dropped');
    });
    const auditSigner = audit.signer;
    const background = options.background !== false;
    maintenance = background
      ? startAuditMaintenance({ db, signer: auditSigner, config, logger })
      : undefined;
    const jobs = (): Promise<JobQueue> =>
      (queue ??= startJobQueue(target.adminUrl, {
        onError: (err) => logger.error({ err }, 'job queue error'),
      }));
    if (background && config.jobWorker) {
      worker = await startRotationWorker(
        await jobs(),
        { db, keyring },
        {
          batchSize: config.keySweepBatchSize,
          writers: config.keySweepWriters,
          onError: (err) => logger.error({ err }, 'key rotation sweep failed; will retry'),
        },
      );
    }
    const server = await buildServer(
      { db, keyring, auditSigner },
      { bodyLimit: config.bodyLimit, logger },
    );
    return {
      config,
      logger,
      target,
      db,
      keyring,
      kek: kek.provider,
      auditSigner,
      jobs,
      server,
      async close() {
        await stopBackground(maintenance, worker, queue);
        await server.close();
        await db.close();
        keyring.forgetAll();
        await target.embedded?.stop();
        kek.provider.close?.();
      },
    };
  } catch (error) {
    await stopBackground(maintenance, worker, queue);
    await opened?.close();
    await target.embedded?.stop();
    kek.provider.close?.();
    throw error;
  }
}

async function stopBackground(
  maintenance: Maintenance | undefined,
  worker: RotationWorker | undefined,
  queue: Promise<RunningJobQueue> | undefined,
): Promise<void> {
  await maintenance?.stop();
  await worker?.stop();
  await queue?.then(
    (q) => q.stop({ graceful: true, timeout: 5000 }),
    () => undefined,
  );
}

/**
 * Every kind of cross-tenant access is logged at info the first time in a
 * process, then at debug: the sealer runs every 200 ms and would otherwise
 * drown the log.
 */
function logSystemAccess(logger: Logger): (reason: string) => void {
  const seen = new Set<string>();
  return (reason) => {
    const level = seen.has(reason) ? 'debug' : 'info';
    seen.add(reason);
    logger[level]({ reason }, 'system database access');
  };
}
