/**
 * The contacts module's public face: contacts as workspace resources (sealed,
 * found by a keyed blind index), and the public per-recipient opt-out
 * (docs/contacts.md).
 */
export { contactRoutes, type ContactRouteDeps } from './routes.js';
export { optOutRoutes, type OptOutRoute } from './optout-routes.js';
export {
  DEFAULT_OPTOUT_SETTINGS,
  type OptOutDeps,
  type OptOutMailer,
  type OptOutScheduler,
  type OptOutSettings,
} from './optout.js';
export { privacyKeys, normaliseEmail, type PrivacyKeys } from './blind-index.js';
export { loadPrivacyIndexKey, type PrivacyIndexKey } from './privacy-key.js';
export { applyOptOut, OPTOUT_APPLIED_ACTION, type OptOutApplied } from './apply.js';
export {
  ensureOptOutQueue,
  jobScheduler,
  startOptOutWorker,
  OPTOUT_QUEUE,
  type OptOutWorker,
} from './jobs.js';
