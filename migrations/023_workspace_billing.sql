-- Up Migration
--
-- Workspace plans and Stripe billing (issue 13, section 6, first half).
--
-- A workspace's plan stays in workspaces.plan (001), the one place every
-- reader already looks. Its CHECK named four fixed plans; the paid plans are
-- now the operator's (WARDROOM_PLANS, docs/billing.md), so the column accepts
-- any plan id of the configured shape, `free_trial` the default. Which ids
-- exist is the configuration's business: the webhook only ever writes a
-- configured id or `free_trial`.
--
-- workspace_billing (tenant table: RLS, audit triggers through
-- make_tenant_table) holds, per workspace, the Stripe customer and
-- subscription the plan comes from, the subscription's status and the
-- creation time of the last Stripe event applied (events arrive out of order;
-- an older one changes nothing). No card or personal data: Stripe keeps those.
--
-- billing_events (tenant table) records every Stripe event id applied to a
-- workspace, so a replayed event changes nothing. It is a tenant table, not a
-- global one, because an event is applied only once its workspace is known
-- and exists; an event for no workspace is acknowledged and not stored.

ALTER TABLE wardroom.workspaces DROP CONSTRAINT workspaces_plan_check;
ALTER TABLE wardroom.workspaces ADD CONSTRAINT workspaces_plan_check
  CHECK (plan ~ '^[a-z][a-z0-9_]{0,39}$');

CREATE TABLE wardroom.workspace_billing (
  tenant_id uuid PRIMARY KEY REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  stripe_customer_id text CHECK (stripe_customer_id ~ '^cus_[A-Za-z0-9]{1,250}$'),
  stripe_subscription_id text CHECK (stripe_subscription_id ~ '^sub_[A-Za-z0-9]{1,250}$'),
  subscription_status text CHECK (subscription_status IN
    ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused')),
  current_period_end timestamptz,
  cancel_at_period_end boolean NOT NULL DEFAULT false,
  last_event_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT wardroom.make_tenant_table('wardroom.workspace_billing', 'workspace_billing', 'tenant_id');
GRANT SELECT, INSERT ON wardroom.workspace_billing TO wardroom_app;
GRANT UPDATE (stripe_customer_id, stripe_subscription_id, subscription_status, current_period_end,
              cancel_at_period_end, last_event_at, updated_at)
  ON wardroom.workspace_billing TO wardroom_app;

CREATE TABLE wardroom.billing_events (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  event_id text NOT NULL CHECK (event_id ~ '^evt_[A-Za-z0-9]{1,250}$'),
  event_type text NOT NULL CHECK (event_type ~ '^[a-z_.]{1,100}$'),
  event_created_at timestamptz NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, event_id)
);
SELECT wardroom.make_tenant_table('wardroom.billing_events', 'billing_event', 'event_id');
-- Recorded once, never changed or removed (the workspace's deletion cascades).
GRANT SELECT, INSERT ON wardroom.billing_events TO wardroom_app;
