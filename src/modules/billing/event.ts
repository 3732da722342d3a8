/**
 * The parts of a verified Stripe event Wardroom reads, checked with zod (a
 * verified event is still only trusted to be Stripe's, not to have the shape
 * this version expects). Subscriptions carry the workspace in their metadata
 * (`workspace_id`, set when the operator creates the subscription or its
 * Checkout session: docs/billing.md).
 */
import { z } from 'zod';

export const SUBSCRIPTION_EVENTS = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
] as const;
export type SubscriptionEventType = (typeof SUBSCRIPTION_EVENTS)[number];

export const SUBSCRIPTION_STATUSES = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'paused',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** Every event: its id, type and creation time (seconds). */
export const stripeEvent = z.object({
  id: z.string().regex(/^evt_[A-Za-z0-9]{1,250}$/),
  type: z.string().regex(/^[a-z_.]{1,100}$/),
  created: z.number().int().positive(),
  data: z.object({ object: z.unknown() }),
});
export type StripeEvent = z.infer<typeof stripeEvent>;

const periodEnd = z.number().int().positive().optional();

export const stripeSubscription = z.object({
  id: z.string().regex(/^sub_[A-Za-z0-9]{1,250}$/),
  object: z.literal('subscription'),
  customer: z.union([
    z.string().regex(/^cus_[A-Za-z0-9]{1,250}$/),
    z.object({ id: z.string().regex(/^cus_[A-Za-z0-9]{1,250}$/) }).transform((c) => c.id),
  ]),
  status: z.enum(SUBSCRIPTION_STATUSES),
  cancel_at_period_end: z.boolean().default(false),
  metadata: z.record(z.string(), z.string()).default({}),
  current_period_end: periodEnd,
  items: z.object({
    data: z
      .array(
        z.object({
          price: z.object({ id: z.string().max(300) }),
          current_period_end: periodEnd,
        }),
      )
      .max(100),
  }),
});
export type StripeSubscription = z.infer<typeof stripeSubscription>;

export function isSubscriptionEvent(type: string): type is SubscriptionEventType {
  return (SUBSCRIPTION_EVENTS as readonly string[]).includes(type);
}

/** The subscription's period end: the subscription's own, else its items' latest (newer API versions). */
export function periodEndOf(sub: StripeSubscription): Date | null {
  const ends = [sub.current_period_end, ...sub.items.data.map((i) => i.current_period_end)].filter(
    (n): n is number => n !== undefined,
  );
  return ends.length === 0 ? null : new Date(Math.max(...ends) * 1000);
}
