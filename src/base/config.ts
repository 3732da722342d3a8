/**
 * Configuration: one zod schema for the environment, parsed once at boot.
 * Every other module receives the typed `Config`; nothing reads process.env
 * after this point, so a bad value fails fast with every problem listed.
 */
import path from 'node:path';
import { z } from 'zod';
import { envFields } from './env-fields.js';
import { AppError } from './errors.js';
import type { BillingConfig } from './billing-config.js';
import { checkLlmConfig, llmConfig, type LlmConfig } from './llm-config.js';
import { Secret } from './secret.js';
import { checkStorageConfig, storageConfig, type StorageConfig } from './storage-config.js';

export { envFields, kekIdSchema, keyVersionSchema, masterKey } from './env-fields.js';
export { Secret } from './secret.js';
export type { LlmConfig } from './llm-config.js';
export type { BillingConfig, PaidPlan, PurgeConfig } from './billing-config.js';
export type { StorageConfig } from './storage-config.js';

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
  if (
    e.DATABASE_URL === undefined &&
    e.DATABASE_APP_URL !== undefined &&
    e.DATABASE_JOBS_URL === undefined
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['DATABASE_JOBS_URL'],
      message:
        'required when DATABASE_APP_URL is set without DATABASE_URL (no administrative URL to derive it from)',
    });
  }
  if ((e.WARDROOM_TLS_CERT_FILE === undefined) !== (e.WARDROOM_TLS_KEY_FILE === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['WARDROOM_TLS_CERT_FILE'],
      message: 'WARDROOM_TLS_CERT_FILE and WARDROOM_TLS_KEY_FILE are set together or not at all',
    });
  }
  checkLlmConfig(e, ctx);
  checkStorageConfig(e, ctx);
  if (e.WARDROOM_SMTP_CA_FILE !== undefined)
    need('WARDROOM_SMTP_URL', 'required by WARDROOM_SMTP_CA_FILE');
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
      /** VAULT_CACERT: a PEM file of the CA to trust for Vault. */
      readonly caFile: string | undefined;
      readonly mount: string;
      readonly key: string;
    };

/** Outbound email (modules/mail): SMTP when a URL is set, else `.eml` files in the outbox. */
export interface MailConfig {
  /** WARDROOM_SMTP_URL (credentials may be in it) and WARDROOM_SMTP_CA_FILE. */
  readonly smtp: { readonly url: Secret<string>; readonly caFile: string | undefined } | undefined;
  /** `<data dir>/outbox`, used when `smtp` is undefined. */
  readonly outboxDir: string;
  readonly from: string;
  readonly timeoutMs: number;
  /** WARDROOM_PUBLIC_URL, or http://HOST:PORT; no trailing slash. */
  readonly publicUrl: string;
  /**
   * Whether WARDROOM_PUBLIC_URL was set: only then is it the base of SSO
   * redirect URIs and SAML ids (the HOST:PORT fallback may name port 0).
   */
  readonly isPublicUrlSet: boolean;
}

export interface HttpsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
}

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly databaseUrl: string | undefined;
  readonly databaseAppUrl: string | undefined;
  readonly appDbPassword: string | undefined;
  /** DATABASE_JOBS_URL: the job queue's connection (the jobs role). */
  readonly databaseJobsUrl: string | undefined;
  readonly jobsDbPassword: string | undefined;
  /** WARDROOM_DB_ALLOW_INSECURE: a database off this machine may be reached without verify-full. */
  readonly dbAllowInsecure: boolean;
  readonly rolePrefix: string;
  readonly dataDir: string;
  readonly kek: KekConfig;
  /** The `file` workspace key store's directory (env, file and development providers). */
  readonly workspaceKeyDir: string;
  readonly poolMax: number;
  readonly bodyLimit: number;
  readonly auditSigningKey: Buffer | undefined;
  readonly auditCheckpointDir: string;
  /** Seconds between automatic checkpoints; 0 turns them off. */
  readonly auditCheckpointInterval: number;
  /** Milliseconds between sealing passes over unsealed audit events; 0 turns the loop off. */
  readonly auditSealIntervalMs: number;
  /** Workspaces verified per checkpoint tick; 0 turns scheduled verification off. */
  readonly auditVerifyWorkspaces: number;
  /** Whether `wardroom start` runs the background job worker (key re-encryption sweeps). */
  readonly jobWorker: boolean;
  /** Rows re-sealed per transaction by the key rotation sweep. */
  readonly keySweepBatchSize: number;
  /** Batches of one sweep committing at once, each on its own connection. */
  readonly keySweepWriters: number;
  /** Milliseconds a cached data key is used after its row was last read. */
  readonly keyCacheTtlMs: number;
  /** WARDROOM_AUTH_SECRET: keys sign-in codes and CSRF tokens; undefined generates one (not in production). */
  readonly authSecret: Buffer | undefined;
  /** WARDROOM_PRIVACY_INDEX_KEY: the contacts' blind indexes and the opt-out list; undefined generates one (not in production). */
  readonly privacyIndexKey: Buffer | undefined;
  /** Days between a confirmed opt-out and the deletion of the contacts it names (0..45). */
  readonly optOutDelayDays: number;
  /** Days a scheduled deletion of a person waits before it runs (cancellable meanwhile). */
  readonly deletionCoolingOffDays: number;
  /** WARDROOM_TEST_CLOCK_FILE: a clock tests move (never in production). */
  readonly testClockFile: string | undefined;
  /** Opt-out requests per hour, per email address and per client address. */
  readonly optOutLimitPerAddress: number;
  readonly optOutLimitPerIp: number;
  readonly sessionIdleSeconds: number;
  readonly sessionLifetimeSeconds: number;
  /** Sign-in requests per hour, per email address and per client address. */
  readonly signInLimitPerAddress: number;
  readonly signInLimitPerIp: number;
  /** Per-workspace request rate, per minute; 0 turns it off. */
  readonly rateLimitPerMinute: number;
  readonly workspaceConcurrency: number;
  readonly streamSlots: number;
  readonly streamSlotsPerWorkspace: number;
  readonly streamIdleTimeoutMs: number;
  readonly redisUrl: string | undefined;
  readonly host: string;
  /** HTTPS: the PEM files and the oldest TLS version; undefined serves plain HTTP. */
  readonly tls: HttpsConfig | undefined;
  /** WARDROOM_TRUST_PROXY: the proxy's addresses and ranges (Fastify trustProxy). */
  readonly trustProxy: readonly string[] | undefined;
  readonly port: number;
  readonly mail: MailConfig;
  /** WARDROOM_STORAGE and its settings. */
  readonly storage: StorageConfig;
  readonly llm: LlmConfig;
  /** WARDROOM_PLANS and WARDROOM_STRIPE_WEBHOOK_SECRET. */
  readonly billing: BillingConfig;
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
    databaseJobsUrl: e.DATABASE_JOBS_URL,
    jobsDbPassword: e.WARDROOM_JOBS_DB_PASSWORD,
    dbAllowInsecure: e.WARDROOM_DB_ALLOW_INSECURE === 'true',
    rolePrefix: e.WARDROOM_DB_ROLE_PREFIX,
    dataDir: path.resolve(e.WARDROOM_DATA_DIR),
    kek: kekConfig(e),
    workspaceKeyDir: path.resolve(
      e.WARDROOM_WORKSPACE_KEY_DIR ?? path.join(e.WARDROOM_DATA_DIR, 'workspace-keys'),
    ),
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
    auditVerifyWorkspaces: e.WARDROOM_AUDIT_VERIFY_WORKSPACES,
    jobWorker: e.WARDROOM_JOB_WORKER === 'on',
    keySweepBatchSize: e.WARDROOM_KEY_SWEEP_BATCH_SIZE,
    keySweepWriters: e.WARDROOM_KEY_SWEEP_WRITERS,
    keyCacheTtlMs: e.WARDROOM_KEY_CACHE_TTL * 1000,
    authSecret: base64Key(e.WARDROOM_AUTH_SECRET),
    privacyIndexKey: base64Key(e.WARDROOM_PRIVACY_INDEX_KEY),
    optOutDelayDays: e.WARDROOM_OPTOUT_DELAY_DAYS,
    deletionCoolingOffDays: e.WARDROOM_DELETION_COOLING_OFF_DAYS,
    testClockFile: testClockFile(e),
    optOutLimitPerAddress: e.WARDROOM_OPTOUT_LIMIT_PER_ADDRESS,
    optOutLimitPerIp: e.WARDROOM_OPTOUT_LIMIT_PER_IP,
    sessionIdleSeconds: e.WARDROOM_SESSION_IDLE_TIMEOUT,
    sessionLifetimeSeconds: e.WARDROOM_SESSION_LIFETIME,
    signInLimitPerAddress: e.WARDROOM_SIGN_IN_LIMIT_PER_ADDRESS,
    signInLimitPerIp: e.WARDROOM_SIGN_IN_LIMIT_PER_IP,
    rateLimitPerMinute: e.WARDROOM_RATE_LIMIT_PER_MINUTE,
    workspaceConcurrency: e.WARDROOM_WORKSPACE_CONCURRENCY,
    streamSlots: e.WARDROOM_STREAM_SLOTS,
    streamSlotsPerWorkspace: Math.min(
      e.WARDROOM_STREAM_SLOTS_PER_WORKSPACE,
      e.WARDROOM_STREAM_SLOTS,
    ),
    streamIdleTimeoutMs: e.WARDROOM_STREAM_IDLE_TIMEOUT_MS,
    redisUrl: e.REDIS_URL,
    host: e.HOST,
    tls: httpsConfig(e),
    trustProxy: e.WARDROOM_TRUST_PROXY,
    port: e.PORT,
    mail: mailConfig(e),
    storage: storageConfig(e),
    llm: llmConfig(e, present),
    billing: billingConfig(e),
    logLevel: e.LOG_LEVEL,
  };
}

/** The test clock's file; refused in production, where time must be the real one. */
function testClockFile(e: z.infer<typeof envSchema>): string | undefined {
  if (e.WARDROOM_TEST_CLOCK_FILE === undefined) return undefined;
  if (e.NODE_ENV === 'production') {
    throw new AppError(
      'config_invalid',
      'Invalid configuration:\n  WARDROOM_TEST_CLOCK_FILE: a test clock is refused when NODE_ENV=production',
    );
  }
  return path.resolve(e.WARDROOM_TEST_CLOCK_FILE);
}

/** An optional base64 key (already checked to be 32 bytes by its schema). */
function base64Key(value: string | undefined): Buffer | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64');
}

function billingConfig(e: z.infer<typeof envSchema>): BillingConfig {
  return {
    plans: e.WARDROOM_PLANS ?? [],
    stripeWebhookSecret: e.WARDROOM_STRIPE_WEBHOOK_SECRET,
    purge: {
      defaultOn: e.WARDROOM_PURGE_AFTER_CANCEL_DEFAULT === 'on',
      days: e.WARDROOM_PURGE_AFTER_CANCEL_DAYS,
    },
  };
}

function httpsConfig(e: z.infer<typeof envSchema>): HttpsConfig | undefined {
  return e.WARDROOM_TLS_CERT_FILE === undefined || e.WARDROOM_TLS_KEY_FILE === undefined
    ? undefined
    : {
        certFile: path.resolve(e.WARDROOM_TLS_CERT_FILE),
        keyFile: path.resolve(e.WARDROOM_TLS_KEY_FILE),
        minVersion: e.WARDROOM_TLS_MIN_VERSION,
      };
}

function mailConfig(e: z.infer<typeof envSchema>): MailConfig {
  const host = e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST;
  return {
    smtp:
      e.WARDROOM_SMTP_URL === undefined
        ? undefined
        : {
            url: new Secret(e.WARDROOM_SMTP_URL),
            caFile:
              e.WARDROOM_SMTP_CA_FILE === undefined
                ? undefined
                : path.resolve(e.WARDROOM_SMTP_CA_FILE),
          },
    outboxDir: path.resolve(e.WARDROOM_DATA_DIR, 'outbox'),
    from: e.WARDROOM_MAIL_FROM,
    timeoutMs: e.WARDROOM_MAIL_TIMEOUT_MS,
    publicUrl: (e.WARDROOM_PUBLIC_URL ?? `http://${host}:${e.PORT}`).replace(/\/+$/, ''),
    isPublicUrlSet: e.WARDROOM_PUBLIC_URL !== undefined,
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
        caFile: e.VAULT_CACERT === undefined ? undefined : path.resolve(e.VAULT_CACERT),
        mount: e.WARDROOM_VAULT_TRANSIT_MOUNT,
        key: e.WARDROOM_VAULT_TRANSIT_KEY ?? '',
      };
  }
}
