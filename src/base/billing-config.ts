/**
 * Billing configuration: the operator's paid plans (WARDROOM_PLANS) and the
 * Stripe webhook signing secret. Parsed with the rest of the environment
 * (config.ts); the billing module receives the typed result.
 */
import { z } from 'zod';

/** The plan every workspace starts on and returns to when its subscription ends. */
export const FREE_TRIAL = 'free_trial';

/** A plan id as workspaces.plan stores it (migration 023). */
export const planId = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'lowercase letters, digits and _, at most 40');

/** A Stripe price id (`price_…`). */
const priceId = z.string().regex(/^price_[A-Za-z0-9]{1,250}$/, 'a Stripe price id (price_…)');

const planEntry = z.strictObject({
  label: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters'),
  prices: z.array(priceId).min(1).max(50),
});

export interface PaidPlan {
  readonly id: string;
  readonly label: string;
  readonly prices: readonly string[];
}

export interface BillingConfig {
  /** The operator's paid plans, in the order configured. */
  readonly plans: readonly PaidPlan[];
  /** WARDROOM_STRIPE_WEBHOOK_SECRET (`whsec_…`); undefined: the webhook answers billing_not_configured. */
  readonly stripeWebhookSecret: string | undefined;
  /** The post-cancellation purge's operator settings. */
  readonly purge: PurgeConfig;
}

export interface PurgeConfig {
  /** WARDROOM_PURGE_AFTER_CANCEL_DEFAULT: the purge is on for a workspace whose owner has not chosen. */
  readonly defaultOn: boolean;
  /** WARDROOM_PURGE_AFTER_CANCEL_DAYS: days from cancellation to the purge (default 30). */
  readonly days: number;
}

/** WARDROOM_PLANS: `{"<plan id>": {"label": "…", "prices": ["price_…"]}}`. */
export const plansSchema = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.record(planId, planEntry))
  .superRefine((plans, ctx) => {
    const seen = new Map<string, string>();
    for (const [id, plan] of Object.entries(plans)) {
      if (id === FREE_TRIAL) {
        ctx.addIssue({ code: 'custom', message: `"${FREE_TRIAL}" is built in, not a paid plan` });
      }
      for (const price of plan.prices) {
        const other = seen.get(price);
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `price ${price} is listed in both "${other}" and "${id}"`,
          });
        }
        seen.set(price, id);
      }
    }
  })
  .transform((plans): PaidPlan[] =>
    Object.entries(plans).map(([id, plan]) => ({ id, label: plan.label, prices: plan.prices })),
  );

export const stripeWebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/=_-]{8,500}$/, 'a Stripe webhook signing secret (whsec_…)');
