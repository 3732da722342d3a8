/**
 * The workspace's billing as admins see it: the plan (id and label) and the
 * Stripe subscription's status, period end and whether it ends then. No
 * Stripe ids leave the server: nothing a member does needs them.
 */
import { z } from 'zod';
import type { PaidPlan } from '../../base/billing-config.js';
import { principalOf } from '../../db/tenant-tx.js';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import { SUBSCRIPTION_STATUSES } from './event.js';
import { planLabel } from './plans.js';

export interface BillingRouteDeps {
  readonly plans: readonly PaidPlan[];
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
});

export function billingRoutes(deps: BillingRouteDeps): WorkspaceRoute[] {
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
        };
      },
    }),
  ];
}
