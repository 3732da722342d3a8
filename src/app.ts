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
import { localKek } from './modules/crypto/kek.js';
import { createKeyring, type Keyring } from './modules/crypto/keyring.js';
import { loadMasterKey } from './modules/crypto/master-key.js';

export interface Wardroom {
  readonly config: Config;
  readonly logger: Logger;
  readonly target: DatabaseTarget;
  readonly db: Database;
  readonly keyring: Keyring;
  readonly server: FastifyInstance;
  close(): Promise<void>;
}

export interface CreateOptions {
  readonly logger?: Logger;
  /** Run migrations before starting (default true). */
  readonly migrate?: boolean;
}

export async function createWardroom(
  config: Config,
  options: CreateOptions = {},
): Promise<Wardroom> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Fail fast on a missing production key before starting or migrating anything.
  const master = await loadMasterKey(config);
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
    if (master.isDevelopmentKey) {
      logger.warn(
        `USING A DEVELOPMENT MASTER KEY from ${master.file ?? 'the data directory'}. ` +
          'Anyone with this file can decrypt every workspace. Set WARDROOM_MASTER_KEY in production.',
      );
    }
    const db = createDatabase({
      appUrl: target.appUrl,
      poolMax: config.poolMax,
      onSystemAccess: (reason) => logger.info({ reason }, 'system database access'),
    });
    const keyring = createKeyring(localKek(master.key));
    const server = await buildServer({ db, keyring }, { bodyLimit: config.bodyLimit, logger });
    return {
      config,
      logger,
      target,
      db,
      keyring,
      server,
      async close() {
        await server.close();
        await db.close();
        await target.embedded?.stop();
      },
    };
  } catch (error) {
    await target.embedded?.stop();
    throw error;
  }
}
