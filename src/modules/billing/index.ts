/**
 * The billing module's public face: workspace plans, the Stripe webhook's
 * verification and application, and the admins' billing route
 * (docs/billing.md).
 */
export { billingRoutes, type BillingRouteDeps } from './routes.js';
export { verifyStripeDelivery, SIGNATURE_TOLERANCE_SECONDS } from './verify.js';
export { applyStripeEvent, PLAN_CHANGED_ACTION, type ApplyOutcome } from './apply.js';
export { FREE_TRIAL, planFor, planLabel } from './plans.js';
export { PURGE_OFF } from './apply.js';
export {
  purgeView,
  readPurge,
  setPurgeEnabled,
  type PurgeView,
  type PurgeState,
} from './purge/settings.js';
export { runPurge, PURGE_ACTOR, type PurgeStep, type PurgeResult } from './purge/run.js';
export {
  purgeWorkspaceStep,
  sweepPurges,
  type PurgeDeps,
  type SweepResult,
} from './purge/sweep.js';
export {
  ensurePurgeQueue,
  startPurgeWorker,
  PURGE_QUEUE,
  type PurgeWorker,
  type PurgeWorkerOptions,
} from './purge/job.js';
