/**
 * The Stripe webhook, in process: payloads signed with a test secret by the
 * official package (no network). A verified subscription event puts its
 * workspace on the configured plan, deletion drops it to free_trial, each
 * change is one `workspace.plan_changed` event ({from, to}); a forged, wrongly
 * keyed, stale or missing signature is refused with billing_signature_invalid
 * and changes nothing; a replayed event id changes nothing; an event for a
 * workspace that does not exist is acknowledged and ignored; admins read the
 * plan, members cannot.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call, expectError } from '../support/http.js';

const SECRET = `whsec_${randomBytes(16).toString('hex')}`;
const URL = '/api/v1/billing/stripe/webhook';
const PLANS = [
  { id: 'team', label: 'Team', prices: ['price_team1', 'price_team2'] },
  { id: 'business', label: 'Business', prices: ['price_biz'] },
];

let t: TestApp;
let admin: Admin;
let A: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp({ billing: { plans: PLANS, stripeWebhookSecret: SECRET } });
  admin = await connectAdmin();
  A = await newWorkspace(t);
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const hex = () => randomBytes(8).toString('hex');
let clock = Math.floor(Date.now() / 1000) - 1000;

function subscriptionEvent(
  workspaceId: string,
  options: {
    type?: string;
    price?: string;
    status?: string;
    sub?: string;
    id?: string;
    created?: number;
  } = {},
): string {
  clock += 1;
  return JSON.stringify({
    id: options.id ?? `evt_${hex()}`,
    object: 'event',
    type: options.type ?? 'customer.subscription.updated',
    created: options.created ?? clock,
    data: {
      object: {
        id: options.sub ?? 'sub_A1',
        object: 'subscription',
        customer: 'cus_A1',
        status: options.status ?? 'active',
        cancel_at_period_end: false,
        metadata: { workspace_id: workspaceId },
        items: {
          object: 'list',
          data: [
            { price: { id: options.price ?? 'price_team1' }, current_period_end: clock + 86_400 },
          ],
        },
      },
    },
  });
}

function send(payload: string, header?: string) {
  return t.app.inject({
    method: 'POST',
    url: URL,
    headers: {
      'content-type': 'application/json',
      ...(header === undefined ? {} : { 'stripe-signature': header }),
    },
    payload,
  });
}
const signed = (payload: string, secret = SECRET, timestamp?: number) =>
  send(
    payload,
    Stripe.webhooks.generateTestHeaderString({
      payload,
      secret,
      ...(timestamp === undefined ? {} : { timestamp }),
    }),
  );

async function planOf(w: TestWorkspace): Promise<string> {
  const { rows } = await admin.client.query<{ plan: string }>(
    'select plan from wardroom.workspaces where tenant_id = $1',
    [w.id],
  );
  return rows[0]?.plan ?? '';
}
async function planEvents(w: TestWorkspace): Promise<unknown[]> {
  const { rows } = await admin.client.query<{ metadata: unknown }>(
    "select metadata from wardroom.audit_log where tenant_id = $1 and action = 'workspace.plan_changed' order by id",
    [w.id],
  );
  return rows.map((r) => r.metadata);
}

describe('a verified subscription event', () => {
  it('puts the workspace on the plan of its price, with one Activity event', async () => {
    const res = await signed(subscriptionEvent(A.id, { type: 'customer.subscription.created' }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ received: true, outcome: 'applied' });
    expect(await planOf(A)).toBe('team');
    expect(await planEvents(A)).toEqual([{ from: 'free_trial', to: 'team' }]);
  });

  it('moves to another plan when the price changes, and admins see it', async () => {
    await signed(subscriptionEvent(A.id, { price: 'price_biz' }));
    expect(await planOf(A)).toBe('business');
    const res = await call(t, 'GET', `/api/v1/workspaces/${A.id}/billing`, { token: A.ownerToken });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      plan: 'business',
      plan_label: 'Business',
      subscription: { status: 'active', cancel_at_period_end: false },
    });
    expect(res.body).not.toContain('cus_');
    expect(res.body).not.toContain('sub_');
  });

  it('drops the workspace to free_trial when the subscription is deleted', async () => {
    const W = await newWorkspace(t);
    await signed(subscriptionEvent(W.id, { sub: 'sub_W1', type: 'customer.subscription.created' }));
    expect(await planOf(W)).toBe('team');
    const res = await signed(
      subscriptionEvent(W.id, {
        sub: 'sub_W1',
        type: 'customer.subscription.deleted',
        status: 'canceled',
      }),
    );
    expect(res.json()).toMatchObject({ outcome: 'applied' });
    expect(await planOf(W)).toBe('free_trial');
    expect(await planEvents(W)).toEqual([
      { from: 'free_trial', to: 'team' },
      { from: 'team', to: 'free_trial' },
    ]);
    const billing = await call(t, 'GET', `/api/v1/workspaces/${W.id}/billing`, {
      token: W.ownerToken,
    });
    expect(billing.json()).toMatchObject({
      plan: 'free_trial',
      subscription: { status: 'canceled' },
    });
  });

  it('drops to free_trial when the subscription becomes unpaid', async () => {
    const W = await newWorkspace(t);
    await signed(subscriptionEvent(W.id, { sub: 'sub_U1' }));
    await signed(subscriptionEvent(W.id, { sub: 'sub_U1', status: 'unpaid' }));
    expect(await planOf(W)).toBe('free_trial');
  });

  it('ignores the deletion of a subscription the workspace has replaced', async () => {
    const W = await newWorkspace(t);
    await signed(subscriptionEvent(W.id, { sub: 'sub_Old' }));
    await signed(subscriptionEvent(W.id, { sub: 'sub_New', price: 'price_biz' }));
    const res = await signed(
      subscriptionEvent(W.id, {
        sub: 'sub_Old',
        type: 'customer.subscription.deleted',
        status: 'canceled',
      }),
    );
    expect(res.json()).toMatchObject({ outcome: 'stale' });
    expect(await planOf(W)).toBe('business');
  });

  it('ignores an event older than the last one applied', async () => {
    const W = await newWorkspace(t);
    await signed(subscriptionEvent(W.id, { sub: 'sub_O1', price: 'price_biz' }));
    const res = await signed(subscriptionEvent(W.id, { sub: 'sub_O1', created: clock - 100 }));
    expect(res.json()).toMatchObject({ outcome: 'stale' });
    expect(await planOf(W)).toBe('business');
  });
});

describe('deliveries as Stripe makes them', () => {
  it('accepts the charset Stripe names in its content type', async () => {
    const W = await newWorkspace(t);
    const payload = subscriptionEvent(W.id, { sub: 'sub_C1' });
    const res = await t.app.inject({
      method: 'POST',
      url: URL,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
      },
      payload,
    });
    expect(res.json()).toMatchObject({ outcome: 'applied' });
    expect(await planOf(W)).toBe('team');
  });

  it('applies concurrent events of one workspace one at a time', async () => {
    const W = await newWorkspace(t);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => signed(subscriptionEvent(W.id, { sub: 'sub_P1' }))),
    );
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(await planOf(W)).toBe('team');
    expect(await planEvents(W)).toEqual([{ from: 'free_trial', to: 'team' }]);
  });
});

describe('refused deliveries change nothing', () => {
  it('refuses a missing, forged, wrongly keyed or stale signature', async () => {
    const W = await newWorkspace(t);
    const payload = subscriptionEvent(W.id);
    expectError(await send(payload), 400, 'billing_signature_invalid', 'missing');
    const forged = `t=${Math.floor(Date.now() / 1000)},v1=${randomBytes(32).toString('hex')}`;
    expectError(await send(payload, forged), 400, 'billing_signature_invalid', 'forged');
    const other = `whsec_${randomBytes(16).toString('hex')}`;
    expectError(await signed(payload, other), 400, 'billing_signature_invalid', 'wrong secret');
    const stale = Math.floor(Date.now() / 1000) - 3600;
    expectError(await signed(payload, SECRET, stale), 400, 'billing_signature_invalid', 'stale');
    // A valid signature over another body does not carry over.
    const good = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    const altered = payload.replace('price_team1', 'price_biz');
    expectError(await send(altered, good), 400, 'billing_signature_invalid', 'altered');
    expect(await planOf(W)).toBe('free_trial');
    const { rows } = await admin.client.query(
      'select 1 from wardroom.billing_events where tenant_id = $1',
      [W.id],
    );
    expect(rows).toHaveLength(0);
  });

  it('refuses a signed body that is not JSON', async () => {
    expectError(await signed('{"id": "evt_x", '), 400, 'invalid_json');
  });

  it('applies a replayed event once', async () => {
    const W = await newWorkspace(t);
    const id = `evt_${hex()}`;
    const first = subscriptionEvent(W.id, { id, sub: 'sub_R1' });
    expect((await signed(first)).json()).toMatchObject({ outcome: 'applied' });
    await signed(subscriptionEvent(W.id, { sub: 'sub_R1', status: 'canceled' }));
    expect(await planOf(W)).toBe('free_trial');
    // The first event again, freshly signed (as Stripe retries): nothing changes.
    const again = await signed(first);
    expect(again.json()).toMatchObject({ outcome: 'duplicate' });
    expect(await planOf(W)).toBe('free_trial');
    expect(await planEvents(W)).toHaveLength(2);
  });

  it('acknowledges and ignores events for no workspace or one that does not exist', async () => {
    const missing = await signed(subscriptionEvent(randomUUID()));
    expect(missing.statusCode).toBe(200);
    expect(missing.json()).toMatchObject({ outcome: 'ignored' });
    const bad = await signed(subscriptionEvent('../../etc'));
    expect(bad.json()).toMatchObject({ outcome: 'ignored' });
    const unknownPrice = await signed(subscriptionEvent(A.id, { price: 'price_nobody' }));
    expect(unknownPrice.json()).toMatchObject({ outcome: 'ignored' });
    const other = await signed(
      JSON.stringify({
        id: `evt_${hex()}`,
        type: 'invoice.paid',
        created: clock,
        data: { object: {} },
      }),
    );
    expect(other.json()).toMatchObject({ outcome: 'ignored' });
    expect(await planOf(A)).toBe('business');
  });

  it('answers billing_not_configured without a secret', async () => {
    const bare = await startTestApp({ billing: { plans: PLANS, stripeWebhookSecret: undefined } });
    try {
      const payload = subscriptionEvent(A.id);
      const res = await bare.app.inject({
        method: 'POST',
        url: URL,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
        },
        payload,
      });
      expectError(res, 404, 'billing_not_configured');
    } finally {
      await bare.close();
    }
  });
});

describe('reading the billing', () => {
  it('is for admins and owners only', async () => {
    const { token } = await memberToken(t, A, 'member');
    const res = await call(t, 'GET', `/api/v1/workspaces/${A.id}/billing`, { token });
    expectError(res, 403, 'forbidden');
    const adminToken = (await memberToken(t, A, 'admin')).token;
    const ok = await call(t, 'GET', `/api/v1/workspaces/${A.id}/billing`, { token: adminToken });
    expect(ok.statusCode).toBe(200);
  });

  it('shows free_trial and no subscription for a workspace Stripe never named', async () => {
    const W = await newWorkspace(t);
    const res = await call(t, 'GET', `/api/v1/workspaces/${W.id}/billing`, { token: W.ownerToken });
    expect(res.json()).toEqual({
      plan: 'free_trial',
      plan_label: 'Free Trial',
      subscription: null,
      purge: {
        enabled: null,
        default_on: false,
        effective: false,
        days: 30,
        state: 'none',
        cancelled_at: null,
        due_at: null,
        warned_7_at: null,
        warned_1_at: null,
        completed_at: null,
      },
    });
  });
});
