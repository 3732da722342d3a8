/**
 * Settings → Billing (admins): the workspace's plan and, when it has one,
 * its Stripe subscription's status and period end. Plans change through
 * Stripe (the operator's checkout or billing portal); cancelling drops the
 * workspace to the Free Trial, and deletes it later only if the automatic
 * post-cancellation purge is on (BillingPurge.tsx).
 */
import type { ReactNode } from 'react';
import { getBilling, type Billing } from '../api/billing';
import { hasRole } from '../roles';
import { Loaded, useLoad } from '../ui/load';
import { PurgeSection } from './BillingPurge';
import { useWorkspace } from '../workspace';

const STATUS: Readonly<Record<string, string>> = {
  trialing: 'Trialing',
  active: 'Active',
  past_due: 'Past due (Stripe is retrying the payment)',
  canceled: 'Cancelled',
  unpaid: 'Unpaid',
  paused: 'Paused',
  incomplete: 'Incomplete',
  incomplete_expired: 'Expired before it started',
};

export function BillingPage(): ReactNode {
  const { current } = useWorkspace();
  const ws = current?.workspace_id ?? '';
  const billing = useLoad(() => getBilling(ws), ws);
  return (
    <section aria-labelledby="billing-title">
      <h1 id="billing-title">Billing</h1>
      <Loaded load={billing} label="the billing">
        {(data) => (
          <>
            <Plan billing={data} />
            <p>
              Cancelling a subscription returns the workspace to the Free Trial. It deletes no data
              unless automatic deletion after cancellation is on; an owner can also delete the
              workspace at any time under Keys and deletion.
            </p>
            <PurgeSection
              workspaceId={ws}
              purge={data.purge}
              canChange={hasRole(current, 'owner')}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}

function Plan(props: { readonly billing: Billing }): ReactNode {
  const sub = props.billing.subscription;
  return (
    <dl className="panel">
      <dt>Plan</dt>
      <dd data-testid="billing-plan">{props.billing.plan_label}</dd>
      <dt>Subscription</dt>
      <dd data-testid="billing-status">
        {sub === null ? 'None' : (STATUS[sub.status] ?? sub.status)}
      </dd>
      {sub?.current_period_end != null && (
        <>
          <dt>{sub.cancel_at_period_end ? 'Ends on' : 'Renews on'}</dt>
          <dd>{new Date(sub.current_period_end).toLocaleDateString()}</dd>
        </>
      )}
    </dl>
  );
}
