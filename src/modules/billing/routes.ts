/**
 * The workspace's billing as admins see it: the plan (id and label) and the
 * Stripe subscription's status, period end and whether it ends then. No
 * Stripe ids leave the server: nothing a member does needs them. And the
 * post-cancellation purge: its setting and schedule, and the owner's toggle.
 */
import { z } from 'zod';
import type { PaidPlan, PurgeConfig } from '../../base/billing-config.js';
import { PURGE_OFF } from './apply.js';
import { purgeView, readPurge, setPurgeEnabled } from './purge/settings.js';
import { principalOf } from '../../db/tenant-tx.js';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import { SUBSCRIPTION_STATUSES } from './event.js';
import { planLabel } from './plans.js';

export interface BillingRouteDeps {
  readonly plans: readonly PaidPlan[];
  /** The post-cancellation purge's operator settings (default: off, 30 days). */
  readonly purge?: PurgeConfig;
  /** Now (default: the system clock); tests move it. */
  readonly clock?: () => Date;
}

const billing = z.object({
  plan: z.string(),
  plan_label: z.string(),
  subscription: z
    .object({
      status: z.enum(SUBSCRIPTION_STATUSES),
      current_period_end: z.string().nullable(),
      cancel_at_period_end: z.boolean(),
    })
    .nullable()
    .describe('null: the workspace never had a Stripe subscription.'),
  purge: purgeView.describe('The automatic post-cancellation purge: setting and schedule.'),
});

export function billingRoutes(deps: BillingRouteDeps): WorkspaceRoute[] {
  const purge = deps.purge ?? PURGE_OFF;
  const clock = deps.clock ?? (() => new Date());
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/workspaces/:ws/billing',
      summary: "The workspace's plan and its Stripe subscription's status",
      tags: ['billing'],
      access: { kind: 'role', role: 'admin' },
      params: z.strictObject({ ws: z.uuid() }),
      status: 200,
      response: billing,
      errors: [],
      handler: async ({ tx }) => {
        const tenantId = principalOf(tx).tenantId;
        const ws = await tx
          .selectFrom('workspaces')
          .select('plan')
          .where('tenant_id', '=', tenantId)
          .executeTakeFirstOrThrow();
        const sub = await tx
          .selectFrom('workspace_billing')
          .select(['subscription_status', 'current_period_end', 'cancel_at_period_end'])
          .where('tenant_id', '=', tenantId)
          .executeTakeFirst();
        const status = z.enum(SUBSCRIPTION_STATUSES).safeParse(sub?.subscription_status);
        return {
          plan: ws.plan,
          plan_label: planLabel(deps.plans, ws.plan),
          subscription:
            sub === undefined || !status.success
              ? null
              : {
                  status: status.data,
                  current_period_end: sub.current_period_end?.toISOString() ?? null,
                  cancel_at_period_end: sub.cancel_at_period_end,
                },
          purge: await readPurge(tx, purge),
        };
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/workspaces/:ws/billing/purge',
      summary:
        "The owner's choice for the automatic post-cancellation purge: on, off, or null for the operator's default. Off cancels a pending purge; on, after a cancellation, schedules one.",
      tags: ['billing'],
      access: { kind: 'role', role: 'owner' },
      params: z.strictObject({ ws: z.uuid() }),
      body: z.strictObject({ enabled: z.boolean().nullable() }),
      status: 200,
      response: purgeView,
      errors: ['validation_failed'],
      handler: ({ tx }, { body }) => setPurgeEnabled(tx, purge, body.enabled, clock()),
    }),
  ];
}
