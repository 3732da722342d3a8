/**
 * Every module's routes, in one list: the one place that knows them all.
 * A module that needs a dependency (the keyring, the signing key) exports a
 * function of it; its handlers get only the request's transaction, member
 * and principal besides.
 */
import { agentRoutes } from '../modules/agents/index.js';
import { auditRoutes } from '../modules/audit/index.js';
import type { PaidPlan, PurgeConfig } from '../base/billing-config.js';
import { billingRoutes } from '../modules/billing/index.js';
import { budgetRoutes } from '../modules/budgets/index.js';
import { contactRoutes, type PrivacyKeys } from '../modules/contacts/index.js';
import { credentialRoutes } from '../modules/credentials/index.js';
import type { Signer } from '../modules/crypto/index.js';
import { cacheRoutes, PriceBook } from '../modules/gateway/index.js';
import { keyRoutes, type Keyring } from '../modules/keys/index.js';
import {
  privacyRoutes,
  type DeletionSettings,
  type ExportMailer,
  type ExportScheduler,
} from '../modules/privacy/index.js';
import {
  tenancyRoutes,
  type InvitationMailer,
  type WorkspaceRoute,
} from '../modules/tenancy/index.js';
import type { Storage } from '../modules/storage/index.js';
import { ssoAdminRoutes } from '../modules/sso/index.js';
import { workroomRoutes } from '../modules/workrooms/index.js';

export interface RouteDeps {
  readonly keyring: Keyring;
  /**
   * Signs audit checkpoints and shred receipts; its public half is served at
   * /.well-known/wardroom-audit-key. A server built without it answers the
   * shred route with config_invalid and publishes no key.
   */
  readonly auditSigner?: Signer;
  /**
   * Emails an invitation once its membership is committed (mail module's
   * `invitationMailer`). A server built without it sends none and says so
   * in the answer (`invitation_email.sent: false`).
   */
  readonly invitations?: InvitationMailer;
  /**
   * Model prices (the gateway's PriceBook, with WARDROOM_LLM_PRICES): an
   * agent's model must be priced. Default: the shipped table alone.
   */
  readonly priceBook?: PriceBook;
  /**
   * Sealed objects in the configured store and their signed download links
   * (modules/storage). With it, `GET /api/v1/objects/download` is served;
   * modules that write files (exports) take it from here.
   */
  readonly storage?: Storage;
  /**
   * The privacy index keys (contacts' blind indexes, the opt-out list). A
   * server built without them answers the contact routes with config_invalid.
   */
  readonly privacyKeys?: PrivacyKeys;
  /** The operator's paid plans (WARDROOM_PLANS), for plan labels. Default: none. */
  readonly plans?: readonly PaidPlan[];
  /** The post-cancellation purge's operator settings. Default: off, 30 days. */
  readonly purge?: PurgeConfig;
  /** Emails a finished workspace export's link (mail module's `exportMailer`). Default: none. */
  readonly exportMailer?: ExportMailer;
  /** Queues export jobs (privacy `exportJobScheduler`); without it, exports answer config_invalid. */
  readonly exportJobs?: ExportScheduler;
  /** Now, for privacy request deadlines (default: the system clock); tests move it. */
  readonly clock?: () => Date;
  /** Scheduled deletions: the cooling-off, the receipt key, the mailer (server.ts fills it). */
  readonly deletion?: DeletionSettings;
}

export function moduleRoutes(deps: RouteDeps): WorkspaceRoute[] {
  return [
    ...tenancyRoutes(deps),
    ...workroomRoutes(deps),
    ...auditRoutes,
    ...credentialRoutes(deps),
    ...budgetRoutes(),
    ...keyRoutes({
      keyring: deps.keyring,
      signer: deps.auditSigner,
      deleteObjects: (principal, via) =>
        deps.storage === undefined
          ? Promise.resolve(null)
          : deps.storage.deleteShreddedObjects(principal, via),
    }),
    ...ssoAdminRoutes({ keyring: deps.keyring }),
    ...cacheRoutes({ keyring: deps.keyring }),
    ...agentRoutes({ keyring: deps.keyring, prices: deps.priceBook ?? new PriceBook() }),
    ...contactRoutes({ keyring: deps.keyring, privacyKeys: deps.privacyKeys }),
    ...billingRoutes({
      plans: deps.plans ?? [],
      ...(deps.purge === undefined ? {} : { purge: deps.purge }),
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    }),
    ...privacyRoutes({
      keyring: deps.keyring,
      storage: deps.storage,
      exportMailer: deps.exportMailer,
      exportJobs: deps.exportJobs,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      deletion: deps.deletion,
    }),
  ];
}
