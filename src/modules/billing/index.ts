/**
 * The billing module's public face: workspace plans, the Stripe webhook's
 * verification and application, and the admins' billing route
 * (docs/billing.md).
 */
export { billingRoutes, type BillingRouteDeps } from './routes.js';
export { verifyStripeDelivery, SIGNATURE_TOLERANCE_SECONDS } from './verify.js';
export { applyStripeEvent, PLAN_CHANGED_ACTION, type ApplyOutcome } from './apply.js';
export { FREE_TRIAL, planFor, planLabel } from './plans.js';
