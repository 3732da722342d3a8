/**
 * Applying a verified Stripe event to its workspace, in one transaction as a
 * system principal: the event id is recorded first (a replay finds it and
 * changes nothing), the subscription's ids and status are stored, and a plan
 * change updates workspaces.plan with a `workspace.plan_changed` Activity
 * event ({from, to}, nothing about the customer). An event older than the
 * last one applied, or about a subscription other than the workspace's
 * current one being deleted, is recorded and changes nothing else. Events
 * naming no workspace, or one that does not exist or was shredded, are
 * acknowledged and ignored: nothing is stored. A cancellation records
 * when, and schedules the post-cancellation purge if it is on; a paid plan
 * again cancels a pending purge (purge/settings.ts), in the same transaction.
 */
import { z } from 'zod';
import type { PaidPlan, PurgeConfig } from '../../base/billing-config.js';
import type { Database } from '../../db/database.js';
import { systemPrincipal } from '../../db/principal.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import {
  isSubscriptionEvent,
  periodEndOf,
  stripeEvent,
  stripeSubscription,
  type StripeEvent,
  type StripeSubscription,
} from './event.js';
import { FREE_TRIAL, planFor } from './plans.js';
import { purgeAfterBillingChange } from './purge/settings.js';

/** No purge after cancellation (the default when no configuration is given). */
export const PURGE_OFF: PurgeConfig = { defaultOn: false, days: 30 };

export const PLAN_CHANGED_ACTION = 'workspace.plan_changed';

export type ApplyOutcome =
  | { readonly outcome: 'applied'; readonly from: string; readonly to: string }
  | { readonly outcome: 'duplicate' | 'stale' }
  | {
      readonly outcome: 'ignored';
      readonly reason:
        'unhandled_type' | 'malformed' | 'no_workspace' | 'unknown_workspace' | 'unknown_price';
    };

export async function applyStripeEvent(
  db: Pick<Database, 'withTenant'>,
  plans: readonly PaidPlan[],
  verified: unknown,
  purge: PurgeConfig = PURGE_OFF,
): Promise<ApplyOutcome> {
  const event = stripeEvent.safeParse(verified);
  if (!event.success) return { outcome: 'ignored', reason: 'malformed' };
  if (!isSubscriptionEvent(event.data.type))
    return { outcome: 'ignored', reason: 'unhandled_type' };
  const sub = stripeSubscription.safeParse(event.data.data.object);
  if (!sub.success) return { outcome: 'ignored', reason: 'malformed' };
  const workspace = z.uuid().safeParse(sub.data.metadata['workspace_id']);
  if (!workspace.success) return { outcome: 'ignored', reason: 'no_workspace' };
  const deleted = event.data.type === 'customer.subscription.deleted';
  const decision = planFor(plans, sub.data, deleted);
  if (decision.kind === 'unknown_price') return { outcome: 'ignored', reason: 'unknown_price' };
  return db.withTenant(systemPrincipal(workspace.data, 'stripe-webhook'), (tx) =>
    applyInWorkspace(tx, workspace.data, event.data, sub.data, decision.plan, deleted, purge),
  );
}

async function applyInWorkspace(
  tx: TenantTx,
  tenantId: string,
  event: StripeEvent,
  sub: StripeSubscription,
  plan: string,
  deleted: boolean,
  purge: PurgeConfig,
): Promise<ApplyOutcome> {
  const ws = await tx
    .selectFrom('workspaces')
    .select(['plan', 'shredded_at'])
    .where('tenant_id', '=', tenantId)
    // Events of one workspace apply one at a time: each sees the plan the last one left.
    .forUpdate()
    .executeTakeFirst();
  if (ws === undefined || ws.shredded_at !== null) {
    return { outcome: 'ignored', reason: 'unknown_workspace' };
  }
  const created = new Date(event.created * 1000);
  const recorded = await tx
    .insertInto('billing_events')
    .values({
      tenant_id: tenantId,
      event_id: event.id,
      event_type: event.type,
      event_created_at: created,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'event_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  if (recorded === undefined) return { outcome: 'duplicate' };
  const current = await tx
    .selectFrom('workspace_billing')
    .select(['stripe_subscription_id', 'last_event_at'])
    .where('tenant_id', '=', tenantId)
    .forUpdate()
    .executeTakeFirst();
  if (current !== undefined) {
    if (current.last_event_at > created) return { outcome: 'stale' };
    const other = current.stripe_subscription_id !== sub.id;
    // The end of a subscription the workspace has since replaced changes nothing.
    if (other && (deleted || sub.status === 'canceled')) return { outcome: 'stale' };
  }
  const row = {
    stripe_customer_id: sub.customer,
    stripe_subscription_id: sub.id,
    subscription_status: deleted ? 'canceled' : sub.status,
    current_period_end: periodEndOf(sub),
    cancel_at_period_end: sub.cancel_at_period_end,
    last_event_at: created,
    updated_at: new Date(),
  };
  await tx
    .insertInto('workspace_billing')
    .values({ tenant_id: tenantId, ...row })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(row))
    .execute();
  if (ws.plan !== plan) {
    await tx.updateTable('workspaces').set({ plan }).where('tenant_id', '=', tenantId).execute();
    await recordEvent(tx, { action: PLAN_CHANGED_ACTION, metadata: { from: ws.plan, to: plan } });
  }
  // A paid plan again cancels a pending purge; a subscription that ended may schedule one.
  const ended = row.subscription_status === 'canceled' && plan === FREE_TRIAL;
  const change = { paid: plan !== FREE_TRIAL, ended, at: created };
  await purgeAfterBillingChange(tx, purge, change, new Date());
  return { outcome: 'applied', from: ws.plan, to: plan };
}
