/**
 * Composition root: config → database (embedded or configured) → migrations
 * → keys → modules → HTTP. `createWardroom(config)` is also the library
 * entry point for products that embed Wardroom instead of running it.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { resolveDatabase, type DatabaseTarget } from './db/connect.js';
import { createDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { buildServer } from './http/server.js';
import { createLogger } from './logger.js';
import { startAuditMaintenance } from './modules/audit/maintenance.js';
import { loadAuditSigner, type AuditSigner } from './modules/audit/signer.js';
import { createKekProvider } from './modules/crypto/kek/registry.js';
import { createKeyring, type Keyring } from './modules/crypto/keyring.js';

export interface Wardroom {
  readonly config: Config;
  readonly logger: Logger;
  readonly target: DatabaseTarget;
  readonly db: Database;
  readonly keyring: Keyring;
  readonly auditSigner: AuditSigner;
  readonly server: FastifyInstance;
  close(): Promise<void>;
}

export interface CreateOptions {
  readonly logger?: Logger;
  /** Run migrations before starting (default true). */
  readonly migrate?: boolean;
  /** Run background jobs: audit checkpoints and partitions (default true; the CLI turns them off). */
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
    const db = createDatabase({
      appUrl: target.appUrl,
      poolMax: config.poolMax,
      onSystemAccess: (reason) => logger.info({ reason }, 'system database access'),
    });
    if (audit.isDevelopmentKey) {
      logger.warn(
        'USING A DEVELOPMENT AUDIT SIGNING KEY. Set WARDROOM_AUDIT_SIGNING_KEY in production.',
      );
    }
    const keyring = createKeyring(kek.provider);
    const auditSigner = audit.signer;
    const maintenance =
      options.background === false
        ? undefined
        : startAuditMaintenance({ db, signer: auditSigner, config, logger });
    const server = await buildServer({ db, keyring }, { bodyLimit: config.bodyLimit, logger });
    return {
      config,
      logger,
      target,
      db,
      keyring,
      auditSigner,
      server,
      async close() {
        await maintenance?.stop();
        await server.close();
        await db.close();
        await target.embedded?.stop();
        kek.provider.close?.();
      },
    };
  } catch (error) {
    await target.embedded?.stop();
    kek.provider.close?.();
    throw error;
  }
}
