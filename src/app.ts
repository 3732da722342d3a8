/**
 * Composition root: config → database (embedded or configured) → migrations
 * → keys → modules → HTTP. `createWardroom(config)` is also the library
 * entry point for products that embed Wardroom instead of running it.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './base/config.js';
import { resolveDatabase, usesEmbedded, type DatabaseTarget } from './db/connect.js';
import type { Database } from './db/database.js';
import { migrate, type MigrateOptions } from './db/migrate.js';
import { Redis } from 'ioredis';
import { buildServer, type ServerAuth, type ServerOptions } from './api/server.js';
import { listenTls } from './api/tls.js';
import { startJobQueue, type JobQueue } from './db/jobs.js';
import { createLogger } from './base/logger.js';
import { startAuditMaintenance, type AuditSigner } from './modules/audit/index.js';
import { openAppDatabase } from './start-database.js';
import { startPurgeBackground } from './start-billing.js';
import {
  checkMasterKey,
  createKekProvider,
  createWorkspaceKeyStore,
  type KekProvider,
} from './modules/crypto/index.js';
import {
  createMailer,
  exportMailer,
  invitationMailer,
  signInCodeMailer,
  type Mailer,
} from './modules/mail/index.js';
import {
  DEFAULT_AUTH_SETTINGS,
  SessionCache,
  subscribeSessionEvents,
  type SignInCodeSender,
} from './modules/auth/index.js';
import type { Gateway } from './modules/gateway/index.js';
import { storageFromConfig, type Storage } from './modules/storage/index.js';
import { closeWardroom, stopBackground, type Running } from './app-running.js';
import { startGateway } from './start-gateway.js';
import {
  declareQueues,
  serverPrivacy,
  startOptOutBackground,
  startExportBackground,
  startReminderBackground,
  deletionSettings,
  privacyClock,
  startDeletionBackground,
} from './start-privacy.js';
import { exportJobScheduler } from './modules/privacy/index.js';
import { loadSecrets, logKeySources, type Secrets } from './start-secrets.js';
import {
  createKeyring,
  type Keyring,
  subscribeKeyEvents,
  startRotationWorker,
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
  /** Outbound email (sign-in codes, invitations): SMTP or the outbox folder. */
  readonly mailer: Mailer;
  /**
   * The LLM gateway (keys, region routing, budget and cache when wired, the
   * provider, two-phase audit); also behind the `/llm/v1/…` routes.
   */
  readonly gateway: Gateway;
  /** Stored objects, sealed per workspace, and their signed download links (docs/storage.md). */
  readonly storage: Storage;
  /** The job queue (pg-boss, as the jobs role), started on first use. */
  jobs(): Promise<JobQueue>;
  readonly server: FastifyInstance;
  close(): Promise<void>;
}

export interface CreateOptions {
  readonly logger?: Logger;
  /**
   * Run migrations before starting (default true), on the administrative
   * connection, which is closed again before anything else starts. Without
   * an administrative URL (DATABASE_APP_URL without DATABASE_URL) nothing is
   * migrated: `wardroom migrate` has run elsewhere.
   */
  readonly migrate?: boolean;
  /**
   * This instance will serve HTTP (default true; the CLI's commands other than
   * `start` turn it off): the listen rule is checked first and the TLS
   * certificate loaded (api/tls.ts).
   */
  readonly listen?: boolean;
  /**
   * Run background jobs: audit checkpoints and partitions, and (unless
   * WARDROOM_JOB_WORKER=off) the job worker for key re-encryption sweeps
   * (default true; the CLI turns them off).
   */
  readonly background?: boolean;
  /**
   * Delivers email sign-in codes. Default: the mail module's sender, through
   * this server's mailer (SMTP or the outbox), audited in each workspace.
   */
  readonly signInCodeSender?: SignInCodeSender;
}

export async function createWardroom(
  config: Config,
  options: CreateOptions = {},
): Promise<Wardroom> {
  // Refuse plain HTTP off this machine before anything starts.
  const https = options.listen === false ? undefined : listenTls(config);
  const logger = options.logger ?? createLogger(config.logLevel);
  // Fail fast on a missing production key before starting or migrating anything.
  const kek = await createKekProvider(config);
  // Each workspace's root key, outside the database: what a shred destroys for good.
  const roots = await createWorkspaceKeyStore(config);
  const secrets = await loadSecrets(config);
  // The embedded database lives in the data folder: its master key must still be the one configured.
  if (usesEmbedded(config)) await checkMasterKey(kek.provider, config.dataDir);
  const target = await resolveDatabase(config, (msg) =>
    logger.debug({ component: 'embedded-postgres' }, msg),
  );
  // Whatever has started is stopped again if a later step of startup fails.
  const running: Running = {};
  const release = async (): Promise<void> => {
    await stopBackground(running);
    running.redis?.disconnect();
    for (const part of [running.mailer, running.storage]) part?.close();
    await running.db?.close();
    await target.embedded?.stop();
    for (const part of [kek.provider, roots]) part.close?.();
  };
  try {
    if (options.migrate !== false) await migrateOnStart(target, logger);
    // From here on, the process connects only as the app role and the jobs role.
    logKeySources(logger, kek, secrets);
    logger.info({ store: roots.description }, 'workspace key store');
    const db = await openAppDatabase(running, target, config, logger, kek.provider);
    const redis = (running.redis = openRedis(config, logger));
    const keyring = createKeyring(kek.provider, { keyTtlMs: config.keyCacheTtlMs, roots });
    // Rotation, a new minimum version or a shred in any process reaches this keyring at once.
    await subscribeKeyEvents(db, keyring, (event) => {
      if (event === 'reconnected') logger.warn('key events reconnected: cached keys dropped');
    });
    const auditSigner = secrets.audit.signer;
    const mailer = (running.mailer = createMailer(config.mail, logger));
    if (options.listen !== false) logger.info({ mail: mailer.description }, 'outbound email'); // no credentials
    const jobs = jobQueueOnFirstUse(running, target, logger);
    if (options.background !== false) {
      const parts = { db, keyring, auditSigner, config, logger, jobs, secrets, mailer };
      await startBackground(running, parts);
    }
    const sender = options.signInCodeSender ?? signInCodeMailer(db, mailer);
    const sessionCache = await listeningSessionCache(db, logger);
    const auth = { ...serverAuth(config, logger, secrets.authSecret.key, sender), sessionCache };
    const llm = await startGateway(running, config.llm, { db, keyring, logger, redis, mailer });
    const extra = serverServices(running, config, logger, { db, keyring, mailer, jobs, secrets });
    const exportDeps = { db, keyring, logger, jobs, ...extra };
    await startExports(running, options.background !== false && config.jobWorker, exportDeps);
    if (options.background !== false && config.jobWorker) {
      const purgeParts = { db, keyring, signer: auditSigner, storage: extra.storage, mailer };
      running.purge = await startPurgeBackground(await jobs(), { ...purgeParts, logger });
    }
    const billing = { ...config.billing, billing: config.billing };
    const server = await buildServer(
      { db, keyring, auditSigner, auth, ...extra, ...llm, ...billing },
      { ...serverOptions(config, logger, redis), https, trustProxy: config.trustProxy },
    );
    const parts = { config, logger, target, db, keyring, kek: kek.provider, auditSigner, mailer };
    return {
      ...parts,
      gateway: llm.gateway,
      storage: extra.storage,
      jobs,
      server,
      close: () => closeWardroom(running, { server, gateway: llm.gateway, keyring }, release),
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * What the server's modules need besides the keyring: invitations' mailer,
 * the object storage (recorded in `running`, so it is closed) and privacy.
 */
function serverServices(
  running: Running,
  config: Config,
  logger: Logger,
  deps: { db: Database; keyring: Keyring; mailer: Mailer; jobs: () => Promise<JobQueue> } & {
    secrets: Secrets;
  },
) {
  const { db, keyring, mailer, jobs, secrets } = deps;
  return {
    invitations: invitationMailer(db, mailer),
    exportMailer: exportMailer(db, mailer),
    exportJobs: exportJobScheduler(jobs),
    storage: (running.storage = storageFromConfig(config, { db, keyring, secrets })),
    ...serverPrivacy(config, logger, { keys: secrets.privacy.keys, mailer, jobs }),
    clock: privacyClock(config, logger),
    deletion: deletionSettings(config, secrets.authSecret.key, mailer),
  };
}

/** The export job worker, when this process runs jobs; it needs the storage and the mailer. */
async function startExports(
  running: Running,
  worker: boolean,
  deps: Parameters<typeof startExportBackground>[1] & { jobs: () => Promise<JobQueue> },
): Promise<void> {
  if (worker) running.exports = await startExportBackground(await deps.jobs(), deps);
}

/** The job queue (pg-boss, as the jobs role), started on first use and remembered in `running`. */
function jobQueueOnFirstUse(
  running: Running,
  target: DatabaseTarget,
  logger: Logger,
): () => Promise<JobQueue> {
  return () =>
    (running.queue ??= startJobQueue(target.jobsUrl, {
      onError: (err) => logger.error({ err }, 'job queue error'),
    }));
}

/** What startup has started so far, so it can be stopped again. */
/** Email sign-in and sessions, from the configuration. */
function serverAuth(
  config: Config,
  logger: Logger,
  secret: Buffer,
  sender: SignInCodeSender,
): ServerAuth {
  return {
    secret,
    sender,
    publicOrigin: config.mail.publicUrl,
    ...(config.mail.isPublicUrlSet ? { ssoOrigin: config.mail.publicUrl } : {}),
    settings: {
      ...DEFAULT_AUTH_SETTINGS,
      sessionIdleSeconds: config.sessionIdleSeconds,
      sessionLifetimeSeconds: config.sessionLifetimeSeconds,
    },
    signInLimits: {
      perAddressPerHour: config.signInLimitPerAddress,
      perIpPerHour: config.signInLimitPerIp,
    },
    onSendError: (err) => logger.error({ err }, 'sending an email sign-in code failed'),
  };
}

/** This process's session cache; a session revoked in any process is dropped from it at once. */
async function listeningSessionCache(db: Database, logger: Logger): Promise<SessionCache> {
  const cache = new SessionCache();
  await subscribeSessionEvents(db, cache, (event) => {
    if (event === 'reconnected') logger.warn('session events reconnected: cached sessions dropped');
  });
  return cache;
}

/** Redis for counters shared across processes, when REDIS_URL is set. */
function openRedis(config: Config, logger: Logger): Redis | undefined {
  if (config.redisUrl === undefined) return undefined;
  // Fail fast per command rather than queueing while Redis is away: the rate
  // limit then lets requests through (skipOnError) and says so in the log.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on('error', (err: unknown) => logger.warn({ err }, 'redis unavailable'));
  return redis;
}

function serverOptions(config: Config, logger: Logger, redis: Redis | undefined): ServerOptions {
  return {
    bodyLimit: config.bodyLimit,
    logger,
    limits: {
      workspaceConcurrency: config.workspaceConcurrency,
      streamSlots: config.streamSlots,
      streamSlotsPerWorkspace: config.streamSlotsPerWorkspace,
      streamIdleTimeoutMs: config.streamIdleTimeoutMs,
    },
    rateLimit: {
      perMinute: config.rateLimitPerMinute,
      ...(redis === undefined ? {} : { redis }),
    },
  };
}

async function migrateOnStart(target: DatabaseTarget, logger: Logger): Promise<void> {
  if (target.adminUrl === undefined) {
    logger.info('no administrative URL (DATABASE_URL): migrations are not run by this process');
    return;
  }
  const applied = await migrate(
    migrateOptions(target, target.adminUrl, (msg) => logger.debug({ component: 'migrate' }, msg)),
  );
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
}

/** What `migrate` needs for this target: the roles, their passwords, the application's queues. */
export function migrateOptions(
  target: DatabaseTarget,
  adminUrl: string,
  log?: (msg: string) => void,
): MigrateOptions {
  return {
    adminUrl,
    roles: target.roles,
    appPassword: target.appPassword,
    jobsPassword: target.jobsPassword,
    declareQueues,
    ...(log === undefined ? {} : { log }),
  };
}

/**
 * The audit maintenance loops (chaining, checkpoints, partitions) and,
 * unless WARDROOM_JOB_WORKER=off, the key re-encryption sweep worker.
 */
async function startBackground(
  running: Running,
  deps: {
    readonly db: Database;
    readonly keyring: Keyring;
    readonly auditSigner: AuditSigner;
    readonly config: Config;
    readonly logger: Logger;
    readonly jobs: () => Promise<JobQueue>;
    readonly secrets: Secrets;
    readonly mailer: Mailer;
  },
): Promise<void> {
  const { db, keyring, config, logger } = deps;
  running.maintenance = startAuditMaintenance({ db, signer: deps.auditSigner, config, logger });
  if (!config.jobWorker) return;
  running.worker = await startRotationWorker(
    await deps.jobs(),
    { db, keyring },
    {
      batchSize: config.keySweepBatchSize,
      writers: config.keySweepWriters,
      onError: (err) => logger.error({ err }, 'key rotation sweep failed; will retry'),
    },
  );
  running.optOutWorker = await startOptOutBackground(await deps.jobs(), {
    db,
    keys: deps.secrets.privacy.keys,
    logger,
  });
  const clock = privacyClock(config, logger);
  running.reminders = await startReminderBackground(await deps.jobs(), {
    db,
    mailer: deps.mailer,
    logger,
    clock,
  });
  const settings = deletionSettings(config, deps.secrets.authSecret.key, deps.mailer);
  running.deletions = await startDeletionBackground(await deps.jobs(), {
    ...{ db, keyring, clock, settings, logger },
  });
}
