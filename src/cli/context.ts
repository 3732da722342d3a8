/**
 * What every CLI command shares: the validated config, the database this
 * directory uses (attaching to a running embedded PostgreSQL, or starting
 * one for the duration of the command), and clean shutdown.
 */
import type { Command } from 'commander';
import { createWardroom, type Wardroom } from '../app.js';
import { loadConfig, type Config } from '../base/config.js';
import { resolveDatabase, usesEmbedded, type DatabaseTarget } from '../db/connect.js';
import { createLogger } from '../base/logger.js';
import { AppError } from '../base/errors.js';
import { hasEmbeddedCluster } from '../db/embedded.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export function configFrom(env: NodeJS.ProcessEnv): Config {
  return loadConfig(env);
}

/**
 * Refuses to go on when no DATABASE_URL is set and the data directory holds
 * no embedded PostgreSQL: the command would otherwise create a new, empty
 * database (and new development keys) instead of using the data of the
 * folder where `wardroom start` ran. Only `start` and `migrate` create one.
 */
export function requireExistingData(config: Config): void {
  if (!usesEmbedded(config) || hasEmbeddedCluster(config.dataDir)) return;
  throw new AppError(
    'config_invalid',
    `No Wardroom database in ${config.dataDir} and no DATABASE_URL: this command would create a ` +
      'new, empty one. Run it in the folder where `wardroom start` ran, or set WARDROOM_DATA_DIR ' +
      'to that data folder (or DATABASE_URL to the database). `wardroom start` or ' +
      '`wardroom migrate` creates a new one.',
  );
}

/**
 * Runs fn with the database target, stopping an embedded cluster this command
 * started. Without `mayCreate`, refuses a folder without Wardroom data.
 */
export async function withTarget<T>(
  config: Config,
  fn: (target: DatabaseTarget) => Promise<T>,
  options: { readonly mayCreate?: boolean } = {},
): Promise<T> {
  if (options.mayCreate !== true) requireExistingData(config);
  const target = await resolveDatabase(config);
  try {
    return await fn(target);
  } finally {
    await target.embedded?.stop();
  }
}

/**
 * Runs fn with a full Wardroom (migrated, keys loaded) and closes it
 * afterwards; refuses a folder without Wardroom data.
 */
export async function withWardroom<T>(config: Config, fn: (w: Wardroom) => Promise<T>): Promise<T> {
  requireExistingData(config);
  const logger = createLogger(
    config.logLevel === 'info' ? 'warn' : config.logLevel,
    process.stderr,
  );
  const wardroom = await createWardroom(config, { logger, background: false, listen: false });
  try {
    return await fn(wardroom);
  } finally {
    await wardroom.close();
  }
}

export type CommandFactory = (program: Command, env: NodeJS.ProcessEnv, io: Output) => void;
