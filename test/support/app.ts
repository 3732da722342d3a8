/**
 * An in-process Wardroom for HTTP tests: the real server, database (the
 * run's test database, as the app role) and keyring, with a random master
 * key; requests go through `app.inject`, no sockets.
 */
import {
  receiptKey,
  type DeletionSettings,
  type ExportMailer,
  type ExportScheduler,
} from '../../src/modules/privacy/index.js';
import { inlineExportJobs } from './export-jobs.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import type { LimitSettings } from '../../src/api/limits.js';
import type { RateLimitSettings } from '../../src/api/rate-limit.js';
import { buildServer } from '../../src/api/server.js';
import { createLogger } from '../../src/base/logger.js';
import type { AuditSigner } from '../../src/modules/audit/signer.js';
import { createAuditPersonal, subscribePersonKeyEvents } from '../../src/modules/audit/index.js';
import { signerFromSeed } from '../../src/modules/crypto/primitives/ed25519.js';
import { localKek, type WorkspaceKeyStore } from '../../src/modules/crypto/index.js';
import { createKeyring, type Keyring } from '../../src/modules/keys/keyring.js';
import { subscribeKeyEvents } from '../../src/modules/keys/rotation/key-events.js';
import {
  createWorkspace,
  type Region,
  ensureUser,
} from '../../src/modules/tenancy/create-workspace.js';
import { createApiToken } from '../../src/modules/tenancy/api-tokens.js';
import type { Role } from '../../src/modules/tenancy/roles.js';
import type { InvitationMailer } from '../../src/modules/tenancy/index.js';
import { testRoots } from './root-keys.js';
import { codeRecorder, type CodeRecorder } from './code-recorder.js';
import {
  DEFAULT_AUTH_SETTINGS,
  SessionCache,
  subscribeSessionEvents,
  type SessionCacheOptions,
  type AuthSettings,
  type SignInCodeSender,
} from '../../src/modules/auth/index.js';
import type { SignInLimits } from '../../src/api/register-account-route.js';
import type { PriceBook } from '../../src/modules/gateway/index.js';
import type { Gateway } from '../../src/modules/gateway/index.js';
import {
  createStorage,
  folderStore,
  linkSecret,
  type ObjectStore,
  type Storage,
} from '../../src/modules/storage/index.js';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_OPTOUT_SETTINGS,
  privacyKeys,
  type OptOutSettings,
  type PrivacyKeys,
} from '../../src/modules/contacts/index.js';
import type { ServerBilling } from '../../src/api/register-billing-routes.js';
import type { OptOutLimits } from '../../src/api/register-optout-routes.js';
import {
  immediateScheduler,
  optOutRecorder,
  type OptOutRecorder,
  type TestScheduler,
} from './optout-recorder.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly keyring: Keyring;
  /** Signs shred receipts (a random key per app). */
  readonly auditSigner: AuditSigner;
  /** Receives the sign-in codes the server would email. */
  readonly codes: CodeRecorder;
  /** The server's auth secret (CSRF tokens, code HMACs). */
  readonly authSecret: Buffer;
  /** Sealed objects and download links; a folder store in a temporary folder unless given. */
  readonly storage: Storage;
  /** The opt-out: its keys, the emails it would send, its deletions (test/support/optout-recorder.ts). */
  readonly optOut: {
    readonly keys: PrivacyKeys;
    readonly mail: OptOutRecorder;
    readonly scheduler: TestScheduler;
  };
  close(): Promise<void>;
}

/**
 * The master key of the test apps of one test file (one process) that name
 * none: apps sharing a database share a master key, as a deployment's
 * processes do (each person's audit key is wrapped by it, in the database).
 */
const PROCESS_MASTER_KEY = randomBytes(32);

export async function startTestApp(
  options: {
    poolMax?: number;
    bodyLimit?: number;
    masterKey?: Buffer;
    /** The workspace key store (default: the test file's, test/support/root-keys.ts). */
    roots?: WorkspaceKeyStore;
    appUrl?: string;
    limits?: LimitSettings;
    rateLimit?: RateLimitSettings;
    /** The built web console to serve (default: the repository's dist/console). */
    consoleDir?: string;
    /** Emails invitations (default: none, so the member route sends nothing). */
    invitations?: InvitationMailer;
    /** Emails a finished export's link (default: none, so the export route sends nothing). */
    exportMailer?: ExportMailer;
    /** Runs export jobs (default: at once, in process, test/support/export-jobs.ts). */
    exportJobs?: ExportScheduler;
    auth?: { settings?: Partial<AuthSettings>; signInLimits?: SignInLimits };
    /** Delivers sign-in codes (default: the recorder, `codes`). */
    signInCodeSender?: SignInCodeSender;
    trustProxy?: string[];
    /** Where the server logs (default: nowhere). */
    logger?: ReturnType<typeof createLogger>;
    /** The LLM gateway, built on this app's database and keyring: serves the `/llm/v1/…` routes. */
    gateway?: (parts: { db: Database; keyring: Keyring }) => Gateway;
    /**
     * The session cache, as every server process has one (default: 5 s TTL,
     * subscribed to every process's revocations); `subscribe: false` leaves
     * it deaf to them, as during a lost notification.
     */
    sessionCache?: SessionCacheOptions & { subscribe?: boolean };
    /** Model prices (default: the shipped table), as WARDROOM_LLM_PRICES would set them. */
    priceBook?: PriceBook;
    /** The object store (default: a folder store in a temporary folder) and the links' clock. */
    storage?: { store?: ObjectStore; now?: () => Date };
    /** The opt-out's settings and rate limits (default: at once; 1000 an hour each). */
    optOut?: { settings?: Partial<OptOutSettings>; limits?: OptOutLimits };
    /** The Stripe webhook's plans and signing secret (default: not served). */
    billing?: ServerBilling;
    /** Now, for privacy request deadlines (default: the system clock). */
    clock?: () => Date;
    /** Scheduled deletions' cooling-off and mailer (default: 7 days, no mail). */
    deletion?: Omit<Partial<DeletionSettings>, 'receiptKey'>;
  } = {},
): Promise<TestApp> {
  const kek = localKek(options.masterKey ?? PROCESS_MASTER_KEY);
  // Like every server process: personal audit fields sealed per person, erasures heard.
  const auditPersonal = createAuditPersonal(kek);
  const db = createDatabase({
    appUrl: options.appUrl ?? inject('appUrl'),
    poolMax: options.poolMax ?? 4,
    ...(options.limits === undefined ? {} : { streamSlots: options.limits.streamSlots }),
    auditPersonal,
  });
  await subscribePersonKeyEvents(db, auditPersonal.keys);
  const keyring = createKeyring(kek, {
    roots: options.roots ?? testRoots,
  });
  // Like every server process: key rotations and shreds elsewhere reach this keyring at once.
  await subscribeKeyEvents(db, keyring);
  const auditSigner = signerFromSeed(randomBytes(32));
  const codes = codeRecorder();
  const authSecret = randomBytes(32);
  const sessionCache = new SessionCache(options.sessionCache);
  if (options.sessionCache?.subscribe !== false) await subscribeSessionEvents(db, sessionCache);
  const auth = {
    sessionCache,
    secret: authSecret,
    sender: options.signInCodeSender ?? codes,
    settings: { ...DEFAULT_AUTH_SETTINGS, ...options.auth?.settings },
    signInLimits: options.auth?.signInLimits ?? { perAddressPerHour: 1000, perIpPerHour: 1000 },
  };
  const objectsDir =
    options.storage?.store === undefined
      ? await fs.mkdtemp(path.join(os.tmpdir(), 'wardroom-objects-'))
      : undefined;
  const storage = createStorage({
    store: options.storage?.store ?? folderStore(objectsDir ?? ''),
    db,
    keyring,
    linkSecret: linkSecret(authSecret),
    publicUrl: 'http://127.0.0.1:8080',
    ...(options.storage?.now === undefined ? {} : { now: options.storage.now }),
  });
  const gateway = options.gateway?.({ db, keyring });
  const exportJobs =
    options.exportJobs ??
    inlineExportJobs({
      db,
      keyring,
      storage,
      mailer: options.exportMailer,
      clock: options.clock ?? (() => new Date()),
    });
  const keys = privacyKeys(randomBytes(32));
  const optOut = { keys, mail: optOutRecorder(), scheduler: immediateScheduler(db, keys) };
  const app = await buildServer(
    {
      db,
      keyring,
      auditSigner,
      auth,
      storage,
      exportJobs,
      privacyKeys: keys,
      optOut: {
        keys,
        mailer: optOut.mail,
        scheduler: optOut.scheduler,
        settings: { ...DEFAULT_OPTOUT_SETTINGS, ...options.optOut?.settings },
        limits: options.optOut?.limits ?? { perAddressPerHour: 1000, perIpPerHour: 1000 },
      },
      ...(options.invitations === undefined ? {} : { invitations: options.invitations }),
      ...(options.exportMailer === undefined ? {} : { exportMailer: options.exportMailer }),
      ...(options.priceBook === undefined ? {} : { priceBook: options.priceBook }),
      ...(options.billing === undefined
        ? {}
        : {
            billing: options.billing,
            plans: options.billing.plans,
            ...(options.billing.purge === undefined ? {} : { purge: options.billing.purge }),
          }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      deletion: {
        coolingOffDays: options.deletion?.coolingOffDays ?? 7,
        receiptKey: receiptKey(authSecret),
        mailer: options.deletion?.mailer,
      },
      ...(gateway === undefined ? {} : { gateway }),
    },
    {
      ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
      bodyLimit: options.bodyLimit ?? 1024 * 1024,
      logger: options.logger ?? createLogger('silent'),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
      consoleDir: options.consoleDir,
    },
  );
  await app.ready();
  return {
    app,
    db,
    keyring,
    auditSigner,
    codes,
    authSecret,
    storage,
    optOut,
    async close() {
      await app.close();
      await gateway?.idle(); // the outcomes of calls already answered
      await db.close();
      if (objectsDir !== undefined) await fs.rm(objectsDir, { recursive: true, force: true });
    },
  };
}

export interface TestWorkspace {
  readonly id: string;
  readonly ownerToken: string;
  readonly ownerUserId: string;
}

let counter = 0;

export async function newWorkspace(t: TestApp, region: Region = 'eu'): Promise<TestWorkspace> {
  counter += 1;
  const created = await createWorkspace(
    t.db,
    t.keyring,
    {
      name: `Workspace ${counter}`,
      region,
      ownerEmail: `owner-${randomBytes(6).toString('hex')}@example.test`,
    },
    (id) => systemPrincipal(id, 'test'),
  );
  return { id: created.workspaceId, ownerToken: created.token, ownerUserId: created.ownerUserId };
}

/** Adds a member with the given role (and named roles) and returns a token for them. */
export async function memberToken(
  t: TestApp,
  ws: TestWorkspace,
  role: Role,
  namedRoles: ('founder' | 'finance_lead')[] = [],
): Promise<{ token: string; userId: string }> {
  const principal = systemPrincipal(ws.id, 'test', 'test');
  return t.db.withTenant(principal, async (tx) => {
    const userId = await ensureUser(
      tx,
      `${role}-${randomBytes(6).toString('hex')}@example.test`,
      role,
    );
    await tx
      .insertInto('memberships')
      .values({ tenant_id: ws.id, user_id: userId, role, named_roles: namedRoles })
      .execute();
    const { token } = await createApiToken(tx, { userId, name: role });
    return { token, userId };
  });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
