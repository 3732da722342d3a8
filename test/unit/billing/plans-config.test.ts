/**
 * WARDROOM_PLANS and WARDROOM_STRIPE_WEBHOOK_SECRET, parsed once at boot:
 * a well-formed table is the billing module's plan list; anything else fails
 * the boot with config_invalid naming the variable. And planFor, which
 * subscription states keep a paid plan.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/base/config.js';
import { planFor } from '../../../src/modules/billing/index.js';

const plans = JSON.stringify({
  team: { label: 'Team', prices: ['price_a', 'price_b'] },
  business: { label: 'Business', prices: ['price_c'] },
});

describe('billing configuration', () => {
  it('parses the plans and the secret', () => {
    const config = loadConfig({
      WARDROOM_PLANS: plans,
      WARDROOM_STRIPE_WEBHOOK_SECRET: 'whsec_abcdefgh12',
    });
    expect(config.billing).toEqual({
      plans: [
        { id: 'team', label: 'Team', prices: ['price_a', 'price_b'] },
        { id: 'business', label: 'Business', prices: ['price_c'] },
      ],
      stripeWebhookSecret: 'whsec_abcdefgh12',
      purge: { defaultOn: false, days: 30 },
    });
  });

  it('reads the post-cancellation purge default and delay, and refuses a delay under 7 days', () => {
    const on = loadConfig({
      WARDROOM_PURGE_AFTER_CANCEL_DEFAULT: 'on',
      WARDROOM_PURGE_AFTER_CANCEL_DAYS: '45',
    });
    expect(on.billing.purge).toEqual({ defaultOn: true, days: 45 });
    expect(() => loadConfig({ WARDROOM_PURGE_AFTER_CANCEL_DAYS: '3' })).toThrow(
      /WARDROOM_PURGE_AFTER_CANCEL_DAYS/,
    );
    expect(() => loadConfig({ WARDROOM_PURGE_AFTER_CANCEL_DEFAULT: 'yes' })).toThrow(
      /WARDROOM_PURGE_AFTER_CANCEL_DEFAULT/,
    );
  });

  it('defaults to no paid plans and no webhook', () => {
    expect(loadConfig({}).billing).toEqual({
      plans: [],
      stripeWebhookSecret: undefined,
      purge: { defaultOn: false, days: 30 },
    });
  });

  it.each([
    ['not JSON', '{team'],
    ['free_trial redefined', JSON.stringify({ free_trial: { label: 'X', prices: ['price_a'] } })],
    ['a bad plan id', JSON.stringify({ 'Team Plan': { label: 'X', prices: ['price_a'] } })],
    ['a bad price id', JSON.stringify({ team: { label: 'X', prices: ['prod_a'] } })],
    ['no prices', JSON.stringify({ team: { label: 'X', prices: [] } })],
    ['an unknown field', JSON.stringify({ team: { label: 'X', prices: ['price_a'], extra: 1 } })],
    [
      'a price in two plans',
      JSON.stringify({
        a: { label: 'A', prices: ['price_a'] },
        b: { label: 'B', prices: ['price_a'] },
      }),
    ],
    [
      'a control character in a label',
      JSON.stringify({ team: { label: 'X\u0007', prices: ['price_a'] } }),
    ],
  ])('refuses %s', (_why, value) => {
    expect(() => loadConfig({ WARDROOM_PLANS: value })).toThrow(/WARDROOM_PLANS/);
  });

  it('refuses a secret that is not whsec_…', () => {
    expect(() => loadConfig({ WARDROOM_STRIPE_WEBHOOK_SECRET: 'sk_live_abcdefgh' })).toThrow(
      /WARDROOM_STRIPE_WEBHOOK_SECRET/,
    );
  });
});

describe('planFor', () => {
  const table = [{ id: 'team', label: 'Team', prices: ['price_a'] }];
  const sub = (
    status: 'active' | 'trialing' | 'past_due' | 'canceled' | 'unpaid' | 'paused' | 'incomplete',
    price = 'price_a',
  ) => ({
    id: 'sub_1',
    object: 'subscription' as const,
    customer: 'cus_1',
    status,
    cancel_at_period_end: false,
    metadata: {},
    items: { data: [{ price: { id: price } }] },
  });

  it('keeps the paid plan while the subscription is live', () => {
    for (const status of ['active', 'trialing', 'past_due'] as const) {
      expect(planFor(table, sub(status), false)).toEqual({ kind: 'plan', plan: 'team' });
    }
  });

  it('gives the Free Trial once it ended, is unpaid, paused or never started, or was deleted', () => {
    for (const status of ['canceled', 'unpaid', 'paused', 'incomplete'] as const) {
      expect(planFor(table, sub(status), false)).toEqual({ kind: 'plan', plan: 'free_trial' });
    }
    expect(planFor(table, sub('active'), true)).toEqual({ kind: 'plan', plan: 'free_trial' });
  });

  it('says so when a live price names no plan', () => {
    expect(planFor(table, sub('active', 'price_z'), false)).toEqual({ kind: 'unknown_price' });
  });
});
