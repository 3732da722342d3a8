/**
 * Configuration: one zod schema for the environment, parsed once at boot.
 * Every other module receives the typed `Config`; nothing reads process.env
 * after this point, so a bad value fails fast with every problem listed.
 */
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';

const masterKey = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes');

const rolePrefix = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,40}_$/, 'lowercase letters, digits and _, ending in _');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.url().optional(),
  DATABASE_APP_URL: z.url().optional(),
  WARDROOM_APP_DB_PASSWORD: z.string().min(16).optional(),
  WARDROOM_DB_ROLE_PREFIX: rolePrefix.default('wardroom_'),
  WARDROOM_DATA_DIR: z.string().min(1).default('.wardroom'),
  WARDROOM_MASTER_KEY: masterKey.optional(),
  WARDROOM_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  WARDROOM_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly databaseUrl: string | undefined;
  readonly databaseAppUrl: string | undefined;
  readonly appDbPassword: string | undefined;
  readonly rolePrefix: string;
  readonly dataDir: string;
  readonly masterKey: Buffer | undefined;
  readonly poolMax: number;
  readonly bodyLimit: number;
  readonly host: string;
  readonly port: number;
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

/** Parses the environment. Throws `config_invalid` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new AppError('config_invalid', `Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    databaseAppUrl: e.DATABASE_APP_URL,
    appDbPassword: e.WARDROOM_APP_DB_PASSWORD,
    rolePrefix: e.WARDROOM_DB_ROLE_PREFIX,
    dataDir: path.resolve(e.WARDROOM_DATA_DIR),
    masterKey:
      e.WARDROOM_MASTER_KEY === undefined
        ? undefined
        : Buffer.from(e.WARDROOM_MASTER_KEY, 'base64'),
    poolMax: e.WARDROOM_POOL_MAX,
    bodyLimit: e.WARDROOM_BODY_LIMIT,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
  };
}
