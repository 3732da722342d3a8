/**
 * Billing in Chromium against a real server with WARDROOM_PLANS and a
 * webhook secret: an owner opens "Billing" from the navigation and sees the
 * Free Trial; Stripe (a delivery signed with the test secret) puts the
 * workspace on Team, which the page then shows with its status; a deletion
 * drops it back to the Free Trial. The owner turns on deletion after
 * cancellation: the page shows the pending purge's date and that a
 * reactivation cancels it; Stripe reactivating removes it. A viewer sees no link and is refused the
 * page and the API. Every state passes checkPage and the CSP holds.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { checkPage, openPage, signIn, useConsoleHarness } from '../support/browser.js';

const OWNER = 'owner@billing.test';
const NAME = 'Billing Co';
const SECRET = `whsec_${randomBytes(16).toString('hex')}`;

const h = useConsoleHarness({
  WARDROOM_PLANS: JSON.stringify({ team: { label: 'Team', prices: ['price_team'] } }),
  WARDROOM_STRIPE_WEBHOOK_SECRET: SECRET,
});

let created = Math.floor(Date.now() / 1000) - 60;

async function stripeSends(ws: string, type: string, status: string): Promise<void> {
  created += 1;
  const payload = JSON.stringify({
    id: `evt_${randomBytes(8).toString('hex')}`,
    object: 'event',
    type,
    created,
    data: {
      object: {
        id: 'sub_browser',
        object: 'subscription',
        customer: 'cus_browser',
        status,
        cancel_at_period_end: false,
        metadata: { workspace_id: ws },
        items: { data: [{ price: { id: 'price_team' }, current_period_end: created + 2_592_000 }] },
      },
    },
  });
  const res = await fetch(`${h().server.url}/api/v1/billing/stripe/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
    },
    body: payload,
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ received: true, outcome: 'applied' });
}

describe('the billing page in Chromium', () => {
  let page: Page;
  let violations: string[] = [];
  let ws = '';

  it('signs the owner in', async () => {
    await h().cli(['workspace', 'create', '--name', NAME, '--owner-email', OWNER]);
    const watched = await openPage(h().browser);
    page = watched.page;
    violations = watched.violations;
    await signIn(h(), page, OWNER);
    const list = (await (await page.request.get(`${h().server.url}/api/v1/workspaces`)).json()) as {
      items: { workspace_id: string; workspace_name: string }[];
    };
    ws = list.items.find((w) => w.workspace_name === NAME)?.workspace_id ?? '';
    expect(ws).toMatch(/^[0-9a-f-]{36}$/);
  }, 120_000);

  it('shows the Free Trial, then the plan Stripe sets, then the Free Trial after cancellation', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Billing' })
      .click();
    await expect
      .poll(() => page.getByRole('heading', { level: 1, name: 'Billing' }).count())
      .toBe(1);
    const plan = page.getByTestId('billing-plan');
    const status = page.getByTestId('billing-status');
    await expect.poll(() => plan.textContent()).toBe('Free Trial');
    expect(await status.textContent()).toBe('None');
    await checkPage(page, 'billing-free-trial');

    await stripeSends(ws, 'customer.subscription.created', 'active');
    await page.reload();
    await expect.poll(() => plan.textContent()).toBe('Team');
    expect(await status.textContent()).toBe('Active');
    expect(await page.getByText('Renews on').count()).toBe(1);
    await checkPage(page, 'billing-team');

    await stripeSends(ws, 'customer.subscription.deleted', 'canceled');
    await page.reload();
    await expect.poll(() => plan.textContent()).toBe('Free Trial');
    expect(await status.textContent()).toBe('Cancelled');
  }, 60_000);

  it('lets the owner turn on deletion after cancellation, shows the pending date, and a reactivation cancels it', async () => {
    const effective = page.getByTestId('purge-effective');
    await expect.poll(() => effective.textContent()).toContain('is off');
    expect(await page.getByTestId('purge-pending').count()).toBe(0);
    await page.getByRole('radio', { name: 'On', exact: true }).check();
    await expect.poll(() => effective.textContent()).toContain('is on');
    // Cancelled already: turning it on schedules the purge, shown with its date and the way out.
    const pending = page.getByTestId('purge-pending');
    await expect.poll(() => pending.count()).toBe(1);
    expect(await pending.textContent()).toMatch(
      /will be deleted on .*Reactivating the subscription cancels the deletion/s,
    );
    const due = await pending.locator('time').getAttribute('datetime');
    expect(new Date(due ?? '').getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    await checkPage(page, 'billing-purge-pending');
    await page.reload();
    await expect.poll(() => page.getByTestId('purge-pending').count()).toBe(1);
    expect(await page.getByRole('radio', { name: 'On', exact: true }).isChecked()).toBe(true);

    await stripeSends(ws, 'customer.subscription.created', 'active');
    await page.reload();
    await expect.poll(() => page.getByTestId('billing-plan').textContent()).toBe('Team');
    expect(await page.getByTestId('purge-pending').count()).toBe(0);
    expect(await page.getByTestId('purge-effective').textContent()).toContain('is on');
    await checkPage(page, 'billing-purge-reactivated');
  }, 60_000);

  it('keeps a viewer out of the page, and the API refuses them too', async () => {
    const email = 'viewer@billing.test';
    const base = h().server.url;
    const me = (await (await page.request.get(`${base}/api/v1/me`)).json()) as {
      csrf_token: string;
    };
    const invited = await page.request.post(`${base}/api/v1/workspaces/${ws}/members`, {
      data: { email, role: 'viewer' },
      headers: { 'x-csrf-token': me.csrf_token, origin: base },
    });
    expect(invited.status()).toBe(201);
    const viewer = await openPage(h().browser);
    await signIn(h(), viewer.page, email);
    const nav = viewer.page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Workspaces' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Billing' }).count()).toBe(0);
    await viewer.page.goto(`${base}/app/settings/billing`);
    await expect
      .poll(() => viewer.page.getByText('This page needs the admin role or above').count())
      .toBe(1);
    const res = await viewer.page.request.get(`${base}/api/v1/workspaces/${ws}/billing`);
    expect(res.status()).toBe(403);
    expect(viewer.violations).toEqual([]);
    await viewer.context.close();
    expect(violations).toEqual([]);
  }, 60_000);
});
