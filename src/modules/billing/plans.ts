/**
 * Which plan a subscription puts its workspace on. A subscription that is
 * live (trialing, active, or past due while Stripe retries the payment) gives
 * the plan its price belongs to; one that ended, never started, is unpaid or
 * paused gives the Free Trial, as does its deletion: cancelling drops the
 * workspace to the Free Trial and deletes nothing (docs/billing.md).
 */
import { FREE_TRIAL, type PaidPlan } from '../../base/billing-config.js';
import type { StripeSubscription, SubscriptionStatus } from './event.js';

export { FREE_TRIAL };

const LIVE: readonly SubscriptionStatus[] = ['trialing', 'active', 'past_due'];

export type PlanDecision =
  | { readonly kind: 'plan'; readonly plan: string }
  /** A live subscription whose prices name no configured plan. */
  | { readonly kind: 'unknown_price' };

export function planFor(
  plans: readonly PaidPlan[],
  sub: StripeSubscription,
  deleted: boolean,
): PlanDecision {
  if (deleted || !LIVE.includes(sub.status)) return { kind: 'plan', plan: FREE_TRIAL };
  for (const item of sub.items.data) {
    const plan = plans.find((p) => p.prices.includes(item.price.id));
    if (plan !== undefined) return { kind: 'plan', plan: plan.id };
  }
  return { kind: 'unknown_price' };
}

/** A plan's label: the configured one, "Free Trial", or the id of a plan no longer configured. */
export function planLabel(plans: readonly PaidPlan[], id: string): string {
  if (id === FREE_TRIAL) return 'Free Trial';
  return plans.find((p) => p.id === id)?.label ?? id;
}
