/**
 * Configuration: one zod schema for the environment, parsed once at boot.
 * Every other module receives the typed `Config`; nothing reads process.env
 * after this point, so a bad value fails fast with every problem listed.
 */
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';

/** Base64 of exactly 32 bytes: one master key version. */
export const masterKey = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes');

/** A KEK id, recorded beside every wrapped data key (printable ASCII, no spaces: it is part of the AAD). */
export const kekIdSchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'printable ASCII without spaces, at most 200 characters');

/** A master key version: a positive integer, chosen by configuration and never renumbered. */
export const keyVersionSchema = z.coerce.number().int().min(1).max(2_147_483_647);

/** `1:base64,2:base64`: older master key versions that still unwrap. */
const previousMasterKeys = z.string().transform((value, ctx) => {
  const keys = new Map<number, Buffer>();
  for (const item of value.split(',')) {
    const match = /^\s*([1-9][0-9]{0,9}):(\S+)\s*$/.exec(item);
    const version = Number(match?.[1]);
    const key = Buffer.from(match?.[2] ?? '', 'base64');
    if (match === null || version > 2_147_483_647 || key.length !== 32) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a comma-separated list of <version>:<base64 of 32 bytes>',
      });
      return z.NEVER;
    }
    if (keys.has(version)) {
      ctx.addIssue({ code: 'custom', message: `version ${version} is listed twice` });
      return z.NEVER;
    }
    keys.set(version, key);
  }
  return keys;
});

const kekProviders = ['env', 'file', 'aws-kms', 'vault-transit'] as const;

const rolePrefix = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,40}_$/, 'lowercase letters, digits and _, ending in _');

/** The environment variables the configuration reads (docs/configuration.md lists them). */
export const envFields = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.url().optional(),
  DATABASE_APP_URL: z.url().optional(),
  WARDROOM_APP_DB_PASSWORD: z.string().min(16).optional(),
  WARDROOM_DB_ROLE_PREFIX: rolePrefix.default('wardroom_'),
  WARDROOM_DATA_DIR: z.string().min(1).default('.wardroom'),
  WARDROOM_KEK_PROVIDER: z.enum(kekProviders).optional(),
  WARDROOM_KEK_ID: kekIdSchema.optional(),
  WARDROOM_MASTER_KEY: masterKey.optional(),
  WARDROOM_MASTER_KEY_VERSION: keyVersionSchema.default(1),
  WARDROOM_MASTER_KEY_PREVIOUS: previousMasterKeys.optional(),
  WARDROOM_MASTER_KEY_FILE: z.string().min(1).optional(),
  WARDROOM_AWS_KMS_KEY_ID: z.string().min(1).max(2048).optional(),
  WARDROOM_AWS_KMS_KEY_VERSION: keyVersionSchema.default(1),
  WARDROOM_AWS_KMS_ENDPOINT: z.url().optional(),
  AWS_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'an AWS region such as eu-west-1')
    .optional(),
  VAULT_ADDR: z.url().optional(),
  VAULT_TOKEN: z.string().min(1).optional(),
  WARDROOM_VAULT_TRANSIT_MOUNT: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'a Vault mount path such as transit')
    .default('transit'),
  WARDROOM_VAULT_TRANSIT_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'a transit key name')
    .optional(),
  WARDROOM_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  WARDROOM_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  WARDROOM_AUDIT_SIGNING_KEY: masterKey.optional(),
  WARDROOM_AUDIT_CHECKPOINT_DIR: z.string().min(1).optional(),
  WARDROOM_AUDIT_CHECKPOINT_INTERVAL: z.coerce.number().int().min(0).max(86_400).default(300),
  WARDROOM_AUDIT_SEAL_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(200),
  WARDROOM_JOB_WORKER: z.enum(['on', 'off']).default('on'),
  WARDROOM_KEY_SWEEP_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  WARDROOM_KEY_SWEEP_WRITERS: z.coerce.number().int().min(1).max(8).default(2),
  WARDROOM_KEY_CACHE_TTL: z.coerce.number().int().min(1).max(3600).default(60),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/**
 * What each variable means, rendered into docs/configuration.md by
 * scripts/config-docs.ts. Typed by the schema, so a variable without a
 * description fails typecheck. Registered as zod metadata (the registry
 * `.describe()` writes to), which leaves parsing unchanged.
 */
const envDescriptions: Readonly<Record<keyof typeof envFields.shape, string>> = {
  NODE_ENV:
    '`production` refuses to generate a development master key or audit signing key: configure a master key provider and WARDROOM_AUDIT_SIGNING_KEY.',
  DATABASE_URL:
    'Administrative connection to PostgreSQL 15+: creates the roles and the schema, runs migrations and `db check`, and carries the job queue (pg-boss, schema `wardroom_jobs`). Unset: an embedded PostgreSQL under WARDROOM_DATA_DIR.',
  DATABASE_APP_URL:
    'What the server connects as: the app role, under RLS. Unset: the admin URL with the app role (`<prefix>app`) as user and WARDROOM_APP_DB_PASSWORD as password.',
  WARDROOM_APP_DB_PASSWORD:
    'Password given to the app role at every migration when DATABASE_APP_URL is unset. Unset: generated once and kept in `<data dir>/app-db-password` (mode 600).',
  WARDROOM_DB_ROLE_PREFIX:
    'Prefix of the owner, app and ops roles (`<prefix>owner`, `<prefix>app`, `<prefix>ops`). Roles are cluster-wide, so databases that share a cluster need different prefixes. Lowercase letters, digits and `_`, ending in `_`.',
  WARDROOM_DATA_DIR:
    'Local state: the embedded PostgreSQL (`pgdata/`, `embedded.json`), the generated development master key and audit signing key, the master key check (`master-key-check.json`), the generated app role password, and the audit checkpoints unless WARDROOM_AUDIT_CHECKPOINT_DIR is set. A relative path is resolved against the working directory.',
  WARDROOM_KEK_PROVIDER:
    'Master key (KEK) provider. Unset: `env` when WARDROOM_MASTER_KEY is set, `file` when WARDROOM_MASTER_KEY_FILE is set (setting both is an error), else a generated development key file, `<data dir>/master-key.json`, which NODE_ENV=production refuses.',
  WARDROOM_KEK_ID:
    "The KEK id recorded beside every wrapped data key; keep it stable. Printable ASCII without spaces, at most 200 characters. Unset: `env:default` (env), `aws-kms:<key id>` (aws-kms), `vault-transit:<mount>/<key>` (vault-transit). Refused with the file provider, whose id is the key file's `id`.",
  WARDROOM_MASTER_KEY:
    'env provider: the current master key, base64 of 32 random bytes (`openssl rand -base64 32`). Required when WARDROOM_KEK_PROVIDER=env.',
  WARDROOM_MASTER_KEY_VERSION:
    'env provider: the version number of WARDROOM_MASTER_KEY, recorded beside every data key it wraps.',
  WARDROOM_MASTER_KEY_PREVIOUS:
    'env provider: older master key versions that still unwrap, `<version>:<base64 of 32 bytes>` separated by commas (`1:…,2:…`). May not list the current version.',
  WARDROOM_MASTER_KEY_FILE:
    'file provider: path of a JSON key file, `{"id", "current", "keys": {"<version>": "<base64>"}}`, private to its owner (a file that group or others may access is refused). Required when WARDROOM_KEK_PROVIDER=file.',
  WARDROOM_AWS_KMS_KEY_ID:
    'aws-kms provider: key id, key ARN, alias name or alias ARN of a symmetric KMS key. Required when WARDROOM_KEK_PROVIDER=aws-kms.',
  WARDROOM_AWS_KMS_KEY_VERSION:
    "aws-kms provider: the KEK version recorded for new and rewrapped data keys. Raise it after KMS rotates the key's material, then rewrap.",
  WARDROOM_AWS_KMS_ENDPOINT:
    "aws-kms provider: another KMS endpoint (a VPC endpoint). Unset: the region's endpoint.",
  AWS_REGION:
    "aws-kms provider: the key's region. Required when WARDROOM_KEK_PROVIDER=aws-kms. Credentials come from the AWS SDK's standard chain.",
  VAULT_ADDR:
    'vault-transit provider: URL of the Vault or OpenBao server. Required when WARDROOM_KEK_PROVIDER=vault-transit.',
  VAULT_TOKEN:
    'vault-transit provider: the Vault token (it needs `read` on `<mount>/keys/<key>`). Required when WARDROOM_KEK_PROVIDER=vault-transit.',
  WARDROOM_VAULT_TRANSIT_MOUNT: 'vault-transit provider: mount path of the transit engine.',
  WARDROOM_VAULT_TRANSIT_KEY:
    'vault-transit provider: name of the transit key, which must have been created with `derived=true`. Required when WARDROOM_KEK_PROVIDER=vault-transit.',
  WARDROOM_POOL_MAX: "Connections in the app role's pool.",
  WARDROOM_BODY_LIMIT:
    'Largest request body in bytes; a larger one is answered `413 payload_too_large`.',
  WARDROOM_AUDIT_SIGNING_KEY:
    'Base64 of a 32-byte Ed25519 seed that signs audit checkpoints and shred receipts. Unset: generated once in `<data dir>/audit-signing.key` (mode 600; a file that group or others may access is refused), which NODE_ENV=production refuses.',
  WARDROOM_AUDIT_CHECKPOINT_DIR:
    'Where signed checkpoints are appended outside the database, one `<workspace>.jsonl` each (in production, a separate disk or a synced folder). Unset: `<data dir>/audit-checkpoints`.',
  WARDROOM_AUDIT_CHECKPOINT_INTERVAL:
    "Seconds between the server's checkpoints of every workspace's chain; `0` turns them off.",
  WARDROOM_AUDIT_SEAL_INTERVAL_MS:
    "Milliseconds between the server's chaining passes, which link newly committed audit events into each workspace's hash chain (the name keeps its first spelling); `0` turns the loop off.",
  WARDROOM_JOB_WORKER:
    '`off`: `wardroom start` runs no background job worker, so key re-encryption sweeps run only in `wardroom keys rotate` or `keys resume` without `--no-wait`.',
  WARDROOM_KEY_SWEEP_BATCH_SIZE: 'Rows re-sealed per transaction by the key rotation sweep.',
  WARDROOM_KEY_SWEEP_WRITERS:
    'Batches of one sweep committing at once, each on its own connection.',
  WARDROOM_KEY_CACHE_TTL:
    "Seconds a process uses a cached data key after it last read the key's row in `workspace_keys`; then it reads the row again. A key deleted outside Wardroom (with psql, say: no key event) stops opening and sealing within this bound in every process. The workspace's key policy is cached for 30 s or this, whichever is shorter.",
  HOST: 'Address the HTTP server listens on.',
  PORT: 'Port the HTTP server listens on; `0` picks a free one.',
  LOG_LEVEL:
    'pino log level. Authorization headers, cookies and fields named token, password, secret, masterKey or content are redacted at every level, and so are, in a logged request URL, every API token (`wr_…`) and the value of every query parameter whose name contains token, password, secret or api_key.',
};
for (const [name, description] of Object.entries(envDescriptions)) {
  z.globalRegistry.add(envFields.shape[name as keyof typeof envFields.shape], { description });
}

const envSchema = envFields.superRefine((e, ctx) => {
  const need = (variable: keyof typeof e, why: string) => {
    if (e[variable] === undefined) ctx.addIssue({ code: 'custom', path: [variable], message: why });
  };
  const provider = e.WARDROOM_KEK_PROVIDER;
  if (
    provider === undefined &&
    e.WARDROOM_MASTER_KEY !== undefined &&
    e.WARDROOM_MASTER_KEY_FILE !== undefined
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['WARDROOM_KEK_PROVIDER'],
      message: 'both WARDROOM_MASTER_KEY and WARDROOM_MASTER_KEY_FILE are set: choose env or file',
    });
  }
  if (provider === 'env') need('WARDROOM_MASTER_KEY', 'required by WARDROOM_KEK_PROVIDER=env');
  if (provider === 'file')
    need('WARDROOM_MASTER_KEY_FILE', 'required by WARDROOM_KEK_PROVIDER=file');
  if (provider === 'aws-kms') {
    need('WARDROOM_AWS_KMS_KEY_ID', 'required by WARDROOM_KEK_PROVIDER=aws-kms');
    need('AWS_REGION', 'required by WARDROOM_KEK_PROVIDER=aws-kms');
  }
  if (provider === 'vault-transit') {
    need('VAULT_ADDR', 'required by WARDROOM_KEK_PROVIDER=vault-transit');
    need('VAULT_TOKEN', 'required by WARDROOM_KEK_PROVIDER=vault-transit');
    need('WARDROOM_VAULT_TRANSIT_KEY', 'required by WARDROOM_KEK_PROVIDER=vault-transit');
  }
  const current = e.WARDROOM_MASTER_KEY_VERSION;
  if (e.WARDROOM_MASTER_KEY_PREVIOUS?.has(current) === true) {
    ctx.addIssue({
      code: 'custom',
      path: ['WARDROOM_MASTER_KEY_PREVIOUS'],
      message: `version ${current} is the current WARDROOM_MASTER_KEY_VERSION`,
    });
  }
  const fileSelected =
    provider === 'file' || (provider === undefined && e.WARDROOM_MASTER_KEY_FILE !== undefined);
  if (fileSelected && e.WARDROOM_KEK_ID !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['WARDROOM_KEK_ID'],
      message: 'does not apply to the file provider: the id is the "id" field of the key file',
    });
  }
});

/** A configured secret: `reveal()` gives the value; JSON, pino and util.inspect see `[redacted]`. */
export class Secret<T> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Secret([redacted])';
  }
}

/**
 * Which master key (KEK) provider wraps the data keys, and its settings.
 * `development` is the generated key file under the data directory, refused in production.
 */
export type KekConfig =
  | {
      readonly provider: 'env';
      readonly id: string;
      readonly current: number;
      /** Every configured version (current and previous) → 32-byte key. */
      readonly keys: Secret<ReadonlyMap<number, Buffer>>;
    }
  | { readonly provider: 'file'; readonly file: string }
  | { readonly provider: 'development' }
  | {
      readonly provider: 'aws-kms';
      readonly id: string | undefined;
      readonly keyId: string;
      readonly region: string;
      readonly endpoint: string | undefined;
      readonly version: number;
    }
  | {
      readonly provider: 'vault-transit';
      readonly id: string | undefined;
      readonly addr: string;
      readonly token: Secret<string>;
      readonly mount: string;
      readonly key: string;
    };

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly databaseUrl: string | undefined;
  readonly databaseAppUrl: string | undefined;
  readonly appDbPassword: string | undefined;
  readonly rolePrefix: string;
  readonly dataDir: string;
  readonly kek: KekConfig;
  readonly poolMax: number;
  readonly bodyLimit: number;
  readonly auditSigningKey: Buffer | undefined;
  readonly auditCheckpointDir: string;
  /** Seconds between automatic checkpoints; 0 turns them off. */
  readonly auditCheckpointInterval: number;
  /** Milliseconds between sealing passes over unsealed audit events; 0 turns the loop off. */
  readonly auditSealIntervalMs: number;
  /** Whether `wardroom start` runs the background job worker (key re-encryption sweeps). */
  readonly jobWorker: boolean;
  /** Rows re-sealed per transaction by the key rotation sweep. */
  readonly keySweepBatchSize: number;
  /** Batches of one sweep committing at once, each on its own connection. */
  readonly keySweepWriters: number;
  /** Milliseconds a cached data key is used after its row was last read. */
  readonly keyCacheTtlMs: number;
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
    kek: kekConfig(e),
    poolMax: e.WARDROOM_POOL_MAX,
    bodyLimit: e.WARDROOM_BODY_LIMIT,
    auditSigningKey:
      e.WARDROOM_AUDIT_SIGNING_KEY === undefined
        ? undefined
        : Buffer.from(e.WARDROOM_AUDIT_SIGNING_KEY, 'base64'),
    auditCheckpointDir: path.resolve(
      e.WARDROOM_AUDIT_CHECKPOINT_DIR ?? path.join(e.WARDROOM_DATA_DIR, 'audit-checkpoints'),
    ),
    auditCheckpointInterval: e.WARDROOM_AUDIT_CHECKPOINT_INTERVAL,
    auditSealIntervalMs: e.WARDROOM_AUDIT_SEAL_INTERVAL_MS,
    jobWorker: e.WARDROOM_JOB_WORKER === 'on',
    keySweepBatchSize: e.WARDROOM_KEY_SWEEP_BATCH_SIZE,
    keySweepWriters: e.WARDROOM_KEY_SWEEP_WRITERS,
    keyCacheTtlMs: e.WARDROOM_KEY_CACHE_TTL * 1000,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
  };
}

function kekConfig(e: z.infer<typeof envSchema>): KekConfig {
  const provider =
    e.WARDROOM_KEK_PROVIDER ??
    (e.WARDROOM_MASTER_KEY !== undefined
      ? 'env'
      : e.WARDROOM_MASTER_KEY_FILE !== undefined
        ? 'file'
        : 'development');
  // The `!== undefined` guards below repeat what the schema's refinement already proved.
  switch (provider) {
    case 'env': {
      const keys = new Map(e.WARDROOM_MASTER_KEY_PREVIOUS ?? []);
      keys.set(e.WARDROOM_MASTER_KEY_VERSION, Buffer.from(e.WARDROOM_MASTER_KEY ?? '', 'base64'));
      return {
        provider,
        id: e.WARDROOM_KEK_ID ?? 'env:default',
        current: e.WARDROOM_MASTER_KEY_VERSION,
        keys: new Secret(keys),
      };
    }
    case 'file':
      return { provider, file: path.resolve(e.WARDROOM_MASTER_KEY_FILE ?? '') };
    case 'development':
      return { provider };
    case 'aws-kms':
      return {
        provider,
        id: e.WARDROOM_KEK_ID,
        keyId: e.WARDROOM_AWS_KMS_KEY_ID ?? '',
        region: e.AWS_REGION ?? '',
        endpoint: e.WARDROOM_AWS_KMS_ENDPOINT,
        version: e.WARDROOM_AWS_KMS_KEY_VERSION,
      };
    case 'vault-transit':
      return {
        provider,
        id: e.WARDROOM_KEK_ID,
        addr: e.VAULT_ADDR ?? '',
        token: new Secret(e.VAULT_TOKEN ?? ''),
        mount: e.WARDROOM_VAULT_TRANSIT_MOUNT,
        key: e.WARDROOM_VAULT_TRANSIT_KEY ?? '',
      };
  }
}
