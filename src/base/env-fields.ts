/**
 * The environment variables Wardroom reads, each with its schema and what it
 * means. config.ts parses them once at boot; scripts/config-docs.ts renders
 * docs/configuration.md from the same definitions, so the two cannot drift.
 */
import { z } from 'zod';
import { plansSchema, stripeWebhookSecret } from './billing-config.js';

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

/** The proxies in front: addresses and CIDR ranges separated by commas. */
const trustProxy = z.string().transform((value, ctx) => {
  const items = value.split(',').map((item) => item.trim());
  if (items.every((item) => /^[0-9a-fA-F.:]+(\/[0-9]{1,3})?$/.test(item))) return items;
  ctx.addIssue({
    code: 'custom',
    message: 'addresses or CIDR ranges of the proxy, separated by commas',
  });
  return z.NEVER;
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
  DATABASE_JOBS_URL: z.url().optional(),
  WARDROOM_JOBS_DB_PASSWORD: z.string().min(16).optional(),
  WARDROOM_DB_ALLOW_INSECURE: z.enum(['true', 'false']).default('false'),
  WARDROOM_DB_ROLE_PREFIX: rolePrefix.default('wardroom_'),
  WARDROOM_DATA_DIR: z.string().min(1).default('.wardroom'),
  WARDROOM_KEK_PROVIDER: z.enum(kekProviders).optional(),
  WARDROOM_KEK_ID: kekIdSchema.optional(),
  WARDROOM_MASTER_KEY: masterKey.optional(),
  WARDROOM_MASTER_KEY_VERSION: keyVersionSchema.default(1),
  WARDROOM_MASTER_KEY_PREVIOUS: previousMasterKeys.optional(),
  WARDROOM_MASTER_KEY_FILE: z.string().min(1).optional(),
  WARDROOM_WORKSPACE_KEY_DIR: z.string().min(1).optional(),
  WARDROOM_AWS_KMS_KEY_ID: z.string().min(1).max(2048).optional(),
  WARDROOM_AWS_KMS_KEY_VERSION: keyVersionSchema.default(1),
  WARDROOM_AWS_KMS_ENDPOINT: z.url().optional(),
  AWS_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'an AWS region such as eu-west-1')
    .optional(),
  VAULT_ADDR: z.url().optional(),
  VAULT_TOKEN: z.string().min(1).optional(),
  VAULT_CACERT: z.string().min(1).optional(),
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
  WARDROOM_AUDIT_VERIFY_WORKSPACES: z.coerce.number().int().min(0).max(100_000).default(10),
  WARDROOM_JOB_WORKER: z.enum(['on', 'off']).default('on'),
  WARDROOM_KEY_SWEEP_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  WARDROOM_KEY_SWEEP_WRITERS: z.coerce.number().int().min(1).max(8).default(2),
  WARDROOM_KEY_CACHE_TTL: z.coerce.number().int().min(1).max(3600).default(60),
  WARDROOM_AUTH_SECRET: masterKey.optional(),
  WARDROOM_PRIVACY_INDEX_KEY: masterKey.optional(),
  WARDROOM_OPTOUT_DELAY_DAYS: z.coerce.number().int().min(0).max(45).default(0),
  WARDROOM_DELETION_COOLING_OFF_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  WARDROOM_TEST_CLOCK_FILE: z.string().min(1).optional(),
  WARDROOM_OPTOUT_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(5),
  WARDROOM_OPTOUT_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000).default(30),
  WARDROOM_SESSION_IDLE_TIMEOUT: z.coerce.number().int().min(60).max(2_592_000).default(43_200),
  WARDROOM_SESSION_LIFETIME: z.coerce.number().int().min(300).max(31_536_000).default(1_209_600),
  WARDROOM_SIGN_IN_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(10),
  WARDROOM_SIGN_IN_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000).default(100),
  WARDROOM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1200),
  WARDROOM_WORKSPACE_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(8),
  WARDROOM_STREAM_SLOTS: z.coerce.number().int().min(1).max(100).default(4),
  WARDROOM_STREAM_SLOTS_PER_WORKSPACE: z.coerce.number().int().min(1).max(100).default(2),
  WARDROOM_STREAM_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  REDIS_URL: z.url().optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  WARDROOM_TLS_CERT_FILE: z.string().min(1).optional(),
  WARDROOM_TLS_KEY_FILE: z.string().min(1).optional(),
  WARDROOM_TLS_MIN_VERSION: z.enum(['TLSv1.3', 'TLSv1.2']).default('TLSv1.3'),
  WARDROOM_TRUST_PROXY: trustProxy.optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  WARDROOM_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
    .optional(),
  WARDROOM_SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'an smtp:// or smtps:// URL' })
    .optional(),
  WARDROOM_SMTP_CA_FILE: z.string().min(1).optional(),
  WARDROOM_MAIL_FROM: z
    .string()
    .max(320)
    .regex(
      /^([^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/,
      'an address, or a name and <address>',
    )
    .default('Wardroom <wardroom@localhost>'),
  WARDROOM_MAIL_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(15_000),
  WARDROOM_STORAGE: z.enum(['folder', 's3']).default('folder'),
  WARDROOM_STORAGE_DIR: z.string().min(1).optional(),
  WARDROOM_S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'an S3 bucket name (3-63 lowercase letters, digits, . and -)',
    )
    .optional(),
  WARDROOM_S3_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
    .optional(),
  WARDROOM_S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'a region such as eu-west-1 (or auto for R2)')
    .default('us-east-1'),
  WARDROOM_S3_ACCESS_KEY_ID: z.string().min(1).max(256).optional(),
  WARDROOM_S3_SECRET_ACCESS_KEY: z.string().min(1).max(1024).optional(),
  WARDROOM_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  WARDROOM_ANTHROPIC_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
    .default('https://api.anthropic.com'),
  WARDROOM_OPENAI_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
    .default('https://api.openai.com/v1'),
  WARDROOM_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  WARDROOM_LLM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  WARDROOM_LLM_PRICES: z.string().min(2).optional(),
  WARDROOM_PLANS: plansSchema.optional(),
  WARDROOM_STRIPE_WEBHOOK_SECRET: stripeWebhookSecret.optional(),
  WARDROOM_PURGE_AFTER_CANCEL_DEFAULT: z.enum(['on', 'off']).default('off'),
  WARDROOM_PURGE_AFTER_CANCEL_DAYS: z.coerce.number().int().min(7).max(365).default(30),
  WARDROOM_ANTHROPIC_API_KEY: z
    .string()
    .regex(/^sk-ant-[^\s\p{Cc}]{8,8184}$/u, 'an Anthropic API key (sk-ant-…)')
    .optional(),
  WARDROOM_OPENAI_API_KEY: z
    .string()
    .regex(/^sk-[^\s\p{Cc}]{8,8184}$/u, 'an OpenAI API key (sk-…)')
    .optional(),
  WARDROOM_LLM_ROUTES: z.string().min(2).optional(),
  WARDROOM_LLM_MAX_PROMPT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
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
    '`production` refuses to generate a development master key, audit signing key or auth secret: configure a master key provider, WARDROOM_AUDIT_SIGNING_KEY and WARDROOM_AUTH_SECRET.',
  DATABASE_URL:
    "Administrative connection to PostgreSQL 15+ (off this machine, with `sslmode=verify-full`, see [tls.md](tls.md)), used only by `migrate` (also the migration step of `start`, whose connection is closed before serving) and by the operator commands (`db check`, `db url`, `ops psql`): creates the roles, the `wardroom` schema and the job queue's schema `wardroom_jobs`. Unset: an embedded PostgreSQL under WARDROOM_DATA_DIR, unless DATABASE_APP_URL is set, which runs with no administrative URL at all (migrations run elsewhere).",
  DATABASE_APP_URL:
    'What the server connects as: the app role, under RLS. Unset: the admin URL with the app role (`<prefix>app`) as user and WARDROOM_APP_DB_PASSWORD as password. Set without DATABASE_URL: no administrative URL and no embedded PostgreSQL; nothing migrates (run `wardroom migrate` with DATABASE_URL first), and DATABASE_JOBS_URL is required.',
  WARDROOM_APP_DB_PASSWORD:
    'Password given to the app role at every migration when DATABASE_APP_URL is unset. Unset: generated once and kept in `<data dir>/app-db-password` (mode 600).',
  DATABASE_JOBS_URL:
    "What the job queue (pg-boss, schema `wardroom_jobs`) connects as: the jobs role, not a superuser, with rights on that schema's tables and none in `wardroom`. Unset: the admin URL with the jobs role (`<prefix>jobs`) as user and WARDROOM_JOBS_DB_PASSWORD as password. Required when DATABASE_APP_URL is set without DATABASE_URL.",
  WARDROOM_JOBS_DB_PASSWORD:
    'Password given to the jobs role at every migration when DATABASE_JOBS_URL is unset. Unset: generated once and kept in `<data dir>/jobs-db-password` (mode 600).',
  WARDROOM_DB_ALLOW_INSECURE:
    "`true`: allow DATABASE_URL, DATABASE_APP_URL or DATABASE_JOBS_URL to reach a host that is not this machine without `sslmode=verify-full` (no encryption, or no check of the server's certificate and host name). Unset: such a URL is refused at startup. Loopback addresses and Unix sockets never need TLS.",
  WARDROOM_DB_ROLE_PREFIX:
    'Prefix of the owner, app and ops roles (`<prefix>owner`, `<prefix>app`, `<prefix>ops`). Roles are cluster-wide, so databases that share a cluster need different prefixes. Lowercase letters, digits and `_`, ending in `_`.',
  WARDROOM_DATA_DIR:
    'Local state: the embedded PostgreSQL (`pgdata/`, `embedded.json`), the generated development master key and audit signing key, the master key check (`master-key-check.json`), the generated app and jobs role passwords, the workspace root keys (`workspace-keys/`, unless WARDROOM_WORKSPACE_KEY_DIR is set), and the audit checkpoints unless WARDROOM_AUDIT_CHECKPOINT_DIR is set. A relative path is resolved against the working directory.',
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
  WARDROOM_WORKSPACE_KEY_DIR:
    "env, file and development providers: the workspace key store, a directory (mode 0700) of one root key file per workspace; a shred destroys the workspace's file, which is what keeps a restored database backup from reading it again. Every process of a deployment (servers, CLI, job worker) must see the same directory; never put it in the same backup as the database. Unset: `<data dir>/workspace-keys`. Ignored by aws-kms and vault-transit, which keep a key per workspace in KMS or Vault.",
  WARDROOM_AWS_KMS_KEY_ID:
    'aws-kms provider: key id, key ARN, alias name or alias ARN of a symmetric KMS key. Required when WARDROOM_KEK_PROVIDER=aws-kms.',
  WARDROOM_AWS_KMS_KEY_VERSION:
    "aws-kms provider: the KEK version recorded for new and rewrapped data keys. Raise it after KMS rotates the key's material, then rewrap.",
  WARDROOM_AWS_KMS_ENDPOINT:
    "aws-kms provider: another KMS endpoint (a VPC endpoint), `https://` (plain `http://` only to a loopback address). Unset: the region's endpoint.",
  AWS_REGION:
    "aws-kms provider: the key's region. Required when WARDROOM_KEK_PROVIDER=aws-kms. Credentials come from the AWS SDK's standard chain.",
  VAULT_ADDR:
    'vault-transit provider: URL of the Vault or OpenBao server, `https://` (plain `http://` only to a loopback address). Required when WARDROOM_KEK_PROVIDER=vault-transit.',
  VAULT_TOKEN:
    'vault-transit provider: the Vault token (it needs `read` on `<mount>/keys/<key>`). Required when WARDROOM_KEK_PROVIDER=vault-transit.',
  VAULT_CACERT:
    "vault-transit provider: PEM file of the CA that signed Vault's certificate (Vault CLI's own variable), trusted instead of Node's bundled CAs. Vault's certificate and host name are always verified; VAULT_SKIP_VERIFY is not read.",
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
  WARDROOM_AUDIT_VERIFY_WORKSPACES:
    'Workspaces whose whole chain the server verifies on each checkpoint tick (every WARDROOM_AUDIT_CHECKPOINT_INTERVAL seconds), those verified longest ago first; each result is an `audit.verified` or `audit.verification_failed` event, shown by `wardroom status`. `0` turns scheduled verification off.',
  WARDROOM_JOB_WORKER:
    '`off`: `wardroom start` runs no background job worker, so key re-encryption sweeps run only in `wardroom keys rotate` or `keys resume` without `--no-wait`.',
  WARDROOM_KEY_SWEEP_BATCH_SIZE: 'Rows re-sealed per transaction by the key rotation sweep.',
  WARDROOM_KEY_SWEEP_WRITERS:
    'Batches of one sweep committing at once, each on its own connection.',
  WARDROOM_KEY_CACHE_TTL:
    "Seconds a process uses a cached data key after it last read the key's row in `workspace_keys`; then it reads the row again. A key deleted outside Wardroom (with psql, say: no key event) stops opening and sealing within this bound in every process. The workspace's key policy is cached for 30 s or this, whichever is shorter.",
  WARDROOM_AUTH_SECRET:
    "Base64 of 32 random bytes: the key of the HMAC under which email sign-in codes are stored, and from which each session's CSRF token is derived. Unset: generated once in `<data dir>/auth-secret.key` (mode 600), which NODE_ENV=production refuses. Changing it invalidates pending codes and CSRF tokens (sessions stay valid; `GET /api/v1/me` returns the new CSRF token).",
  WARDROOM_PRIVACY_INDEX_KEY:
    'Base64 of 32 random bytes: the key from which the keyed blind indexes of contact email addresses, the opt-out suppression list and the stored form of opt-out codes are derived (docs/contacts.md). Unset: generated once in `<data dir>/privacy-index.key` (mode 600), which NODE_ENV=production refuses. Changing it makes existing contacts unfindable by email and forgets every opt-out: keep and back it up like the master key.',
  WARDROOM_DELETION_COOLING_OFF_DAYS:
    'Days (1 to 90) between a scheduled deletion of a person (Delete my account, or a deletion request an owner confirms) and its run; the account stays usable meanwhile and the deletion can be cancelled (docs/privacy.md).',
  WARDROOM_TEST_CLOCK_FILE:
    "For tests only: a file whose content moves this process's clock for the deletion sweep and privacy deadlines, an ISO 8601 time (`2027-01-01T00:00:00Z`) or an offset from the real time (`+8d`, `+36h`, `-90m`, `+30s`); an absent or empty file is the real time. Logged loudly at start; refused unless NODE_ENV is `development` or `test` (docs/testing.md).",
  WARDROOM_OPTOUT_DELAY_DAYS:
    'Days (0 to 45) between a confirmed opt-out and the deletion of every contact record with that address, in every workspace; 0 deletes at once. The suppression that refuses re-import applies at once either way.',
  WARDROOM_OPTOUT_LIMIT_PER_ADDRESS:
    'Opt-out requests (start and confirm together) per email address per hour; more are answered `429 rate_limited` with `Retry-After`. Shared through REDIS_URL when set.',
  WARDROOM_OPTOUT_LIMIT_PER_IP:
    'Opt-out requests (start and confirm together) per client address per hour; more are answered `429 rate_limited` with `Retry-After`. Shared through REDIS_URL when set.',
  WARDROOM_SESSION_IDLE_TIMEOUT:
    'Seconds a browser session lives without a request; each request moves the deadline (never past WARDROOM_SESSION_LIFETIME).',
  WARDROOM_SESSION_LIFETIME:
    'Seconds a browser session lives at most from sign-in, however active; then the person signs in again.',
  WARDROOM_SIGN_IN_LIMIT_PER_ADDRESS:
    'Email sign-in requests (start and verify together) per email address per hour; more are answered `429 rate_limited` with `Retry-After`. Shared through REDIS_URL when set.',
  WARDROOM_SIGN_IN_LIMIT_PER_IP:
    'Email sign-in requests (start and verify together) per client address per hour; more are answered `429 rate_limited` with `Retry-After`. Shared through REDIS_URL when set.',
  WARDROOM_RATE_LIMIT_PER_MINUTE:
    "Requests one workspace may make per minute (counted per API token's workspace; unauthenticated requests per client address); more are answered `429 rate_limited` with `Retry-After`. Shared by every process through REDIS_URL when set, else counted per process. `0` turns the limit off.",
  WARDROOM_WORKSPACE_CONCURRENCY:
    'Requests of one workspace a process serves at once; more are answered `429 rate_limited` with `Retry-After: 1`, so one workspace cannot hold every database connection.',
  WARDROOM_STREAM_SLOTS:
    'Database connections reserved for long responses (audit exports), in a pool of their own beside WARDROOM_POOL_MAX, so ordinary requests never wait behind a download. A download that finds every slot taken is answered `429 rate_limited`.',
  WARDROOM_STREAM_SLOTS_PER_WORKSPACE:
    'Long responses one workspace may have open at once (at most WARDROOM_STREAM_SLOTS).',
  WARDROOM_STREAM_IDLE_TIMEOUT_MS:
    'A download whose client reads nothing for this long is cut, and its slot freed.',
  REDIS_URL:
    'Redis for counters shared by every process (the request rate limit). Unset: counted in each process.',
  HOST: 'Address the HTTP server listens on. Plain HTTP (no WARDROOM_TLS_CERT_FILE) is served only on a loopback address or behind WARDROOM_TRUST_PROXY; otherwise `wardroom start` refuses to start ([tls.md](tls.md)).',
  WARDROOM_TLS_CERT_FILE:
    'PEM certificate (chain) of the HTTPS server; set with WARDROOM_TLS_KEY_FILE, and `wardroom start` serves HTTPS only.',
  WARDROOM_TLS_KEY_FILE: 'PEM private key of WARDROOM_TLS_CERT_FILE.',
  WARDROOM_TLS_MIN_VERSION:
    'Oldest TLS version the HTTPS server accepts: `TLSv1.3`, or `TLSv1.2` for older clients.',
  WARDROOM_TRUST_PROXY:
    'Declares the TLS-terminating reverse proxy in front of a plain-HTTP server: its addresses or CIDR ranges, separated by commas (such as `10.0.0.0/8`). Client address and protocol are then taken from its `X-Forwarded-*` headers (Fastify `trustProxy`), and HOST may be a non-loopback address without WARDROOM_TLS_CERT_FILE.',
  PORT: 'Port the HTTP server listens on; `0` picks a free one.',
  WARDROOM_PUBLIC_URL:
    'The URL people open to reach this server, put in emails (the console link of an invitation). Unset: `http://HOST:PORT` of this server.',
  WARDROOM_SMTP_URL:
    'Outbound email over SMTP: `smtp://user:password@host:587` (STARTTLS) or `smtps://…:465` (TLS from the first byte); user and password percent-encoded, never logged. To a host that is not loopback, STARTTLS is required and the certificate and host name are verified ([mail.md](mail.md)). Unset: every email is written as an `.eml` file to `<data dir>/outbox/` instead, and the log gives its path.',
  WARDROOM_SMTP_CA_FILE:
    "PEM file of the CA that signed the SMTP server's certificate (a private CA), trusted instead of Node's bundled CAs. The certificate is verified either way.",
  WARDROOM_MAIL_FROM: 'The From of every email: an address, or `Name <address>`.',
  WARDROOM_MAIL_TIMEOUT_MS:
    'Milliseconds one email may take to send (connecting, greeting, each SMTP reply); then it fails with `mail_timeout`.',
  WARDROOM_STORAGE:
    "Where stored objects (exports and other files) are kept: `folder`, files under WARDROOM_STORAGE_DIR; or `s3`, any S3-compatible bucket (AWS S3, Cloudflare R2, Supabase Storage, MinIO). Either way every object is sealed with its workspace's data key before it is stored, and downloads go through Wardroom's signed links ([storage.md](storage.md)).",
  WARDROOM_STORAGE_DIR:
    'folder storage: the folder objects are kept in (mode 0700). Unset: `<data dir>/objects`.',
  WARDROOM_S3_BUCKET:
    's3 storage: the bucket, which should be private. Required when WARDROOM_STORAGE=s3.',
  WARDROOM_S3_ENDPOINT:
    's3 storage: the endpoint of an S3-compatible service (R2, Supabase Storage, MinIO), `https://` (plain `http://` only to a loopback address). Unset: AWS S3 in WARDROOM_S3_REGION.',
  WARDROOM_S3_REGION: "s3 storage: the bucket's region (`auto` for Cloudflare R2).",
  WARDROOM_S3_ACCESS_KEY_ID:
    "s3 storage: the access key id; set together with WARDROOM_S3_SECRET_ACCESS_KEY. Unset: the AWS SDK's standard credential chain (environment, profile, instance role).",
  WARDROOM_S3_SECRET_ACCESS_KEY:
    's3 storage: the secret access key; set together with WARDROOM_S3_ACCESS_KEY_ID. Never logged.',
  WARDROOM_S3_FORCE_PATH_STYLE:
    '`true`: address the bucket as `<endpoint>/<bucket>/…` instead of `<bucket>.<endpoint>/…` (MinIO and most self-hosted services need it).',
  WARDROOM_ANTHROPIC_BASE_URL:
    'Base URL of the Anthropic Messages API, without `/v1` (as the `@anthropic-ai/sdk` `baseURL`): a regional endpoint, a proxy, or a local fake. `https://`, or plain `http://` only to a loopback address.',
  WARDROOM_OPENAI_BASE_URL:
    'Base URL of the OpenAI API, with `/v1` (as the `openai` SDK `baseURL`): Azure-style proxies, regional endpoints or a local fake. `https://`, or plain `http://` only to a loopback address.',
  WARDROOM_LLM_TIMEOUT_MS:
    'Milliseconds the gateway waits for an upstream LLM to send its response headers, and then between two pieces of its body (a stream that goes quiet this long is cut); then the call fails with `llm_timeout`.',
  WARDROOM_LLM_MAX_ATTEMPTS:
    'Attempts per upstream LLM call, the first included. Only failures that cannot have spent tokens are retried: a refused connection, and 429, 503 and 529 answers (after `Retry-After`); never a stream that has begun.',
  WARDROOM_LLM_PRICES:
    'Operator prices for models the shipped table lacks (or overrides of it), JSON: `{"anthropic:claude-x": {"input": "3", "output": "15"}}`, USD per million tokens as decimal strings (at most 6 decimals). A model with no price is refused with `llm_model_unpriced`. See [gateway.md](gateway.md).',
  WARDROOM_PLANS:
    'The paid plans a workspace can be on besides `free_trial`, JSON: `{"team": {"label": "Team", "prices": ["price_123"]}}`; a Stripe subscription whose price is listed puts its workspace on that plan (a price in one plan only). Unset: no paid plans. See [billing.md](billing.md).',
  WARDROOM_STRIPE_WEBHOOK_SECRET:
    "The Stripe webhook endpoint's signing secret (`whsec_…`): `POST /api/v1/billing/stripe/webhook` refuses every event whose `Stripe-Signature` does not verify with it. Never logged. Unset: the webhook answers `404 billing_not_configured`. See [billing.md](billing.md).",
  WARDROOM_PURGE_AFTER_CANCEL_DEFAULT:
    '`on`: a workspace whose owner has not chosen is purged automatically after its Stripe subscription is cancelled (crypto-shredded, its stored objects deleted, the receipt emailed to its owners), with warning emails 7 days and 1 day before; an owner can turn it off (or on) on the Billing page. Default `off`. See [billing.md](billing.md).',
  WARDROOM_PURGE_AFTER_CANCEL_DAYS:
    'Days (7 to 365) between the cancellation of a subscription and the purge of a workspace that has the post-cancellation purge on.',
  WARDROOM_ANTHROPIC_API_KEY:
    'Operator (platform) Anthropic key, used for a workspace that has no active `llm_api_key` credential for Anthropic; such calls are audited with key id `platform` and metered as platform traffic. Never logged. Unset: such a workspace gets the offline provider. See [gateway.md](gateway.md).',
  WARDROOM_OPENAI_API_KEY:
    'Operator (platform) OpenAI key, used for a workspace that has no active `llm_api_key` credential for OpenAI; audited with key id `platform`. Never logged. Unset: the offline provider.',
  WARDROOM_LLM_ROUTES:
    'The region routing table over the shipped one, JSON: `{"eu": {"legal": "gdpr", "anthropic": [{"base_url": "https://…", "region": "eu"}], "openai": []}}`; per region, the allowed endpoints of each provider named (the first is used; an empty list refuses the provider there with `llm_region_blocked`). Regions: us, eu, me-south, ap-northeast. See [gateway.md](gateway.md).',
  WARDROOM_LLM_MAX_PROMPT_BYTES:
    'Largest LLM request body (JSON bytes) the gateway forwards; a larger one is refused with `llm_prompt_too_large` before any key is opened or budget reserved. `WARDROOM_BODY_LIMIT` caps HTTP bodies first.',
  LOG_LEVEL:
    "pino log level. Authorization headers, cookies and fields named token, password, secret, masterKey or content are redacted at every level, and so are, in a logged request URL, every API token (`wr_…`) and the value of every query parameter whose name contains token, password, secret, api_key or signature (a download link's).",
};
for (const [name, description] of Object.entries(envDescriptions)) {
  z.globalRegistry.add(envFields.shape[name as keyof typeof envFields.shape], { description });
}
