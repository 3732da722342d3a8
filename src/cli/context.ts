/**
 * What every CLI command shares: the validated config, the database this
 * directory uses (attaching to a running embedded PostgreSQL, or starting
 * one for the duration of the command), and clean shutdown.
 */
import type { Command } from 'commander';
import { createWardroom, type Wardroom } from '../app.js';
import { loadConfig, type Config } from '../base/config.js';
import { resolveDatabase, type DatabaseTarget } from '../db/connect.js';
import { createLogger } from '../base/logger.js';

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

/** Runs fn with the database target, stopping an embedded cluster this command started. */
export async function withTarget<T>(
  config: Config,
  fn: (target: DatabaseTarget) => Promise<T>,
): Promise<T> {
  const target = await resolveDatabase(config);
  try {
    return await fn(target);
  } finally {
    await target.embedded?.stop();
  }
}

/** Runs fn with a full Wardroom (migrated, keys loaded) and closes it afterwards. */
export async function withWardroom<T>(config: Config, fn: (w: Wardroom) => Promise<T>): Promise<T> {
  const logger = createLogger(
    config.logLevel === 'info' ? 'warn' : config.logLevel,
    process.stderr,
  );
  const wardroom = await createWardroom(config, { logger, background: false });
  try {
    return await fn(wardroom);
  } finally {
    await wardroom.close();
  }
}

export type CommandFactory = (program: Command, env: NodeJS.ProcessEnv, io: Output) => void;
