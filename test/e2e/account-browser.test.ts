/**
 * The "Sessions and tokens" page in Chromium: one person signed in in two
 * browser contexts sees both sessions, this browser marked; signing out in
 * one context ends that session only; revoking the other context's session
 * from the list ends it at its next API call; a token created on the page is
 * shown once, works as a bearer token, and stops working once revoked;
 * "Sign out everywhere" asks first, then ends this browser's session too.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  checkPage,
  openPage,
  seriousAxeViolations,
  signIn,
  useConsoleHarness,
} from '../support/browser.js';

const h = useConsoleHarness();

const EMAIL = 'person@account.test';

/** GET /api/v1/me with the context's own cookies: 200 while its session lives. */
const meStatus = async (page: Page) =>
  (await page.request.get(`${h().server.url}/api/v1/me`)).status();

/** A bearer request from outside any browser. */
const withToken = async (token: string, workspaceId: string) =>
  (
    await fetch(`${h().server.url}/api/v1/workspaces/${workspaceId}/workrooms`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).status;

const sessionRows = (page: Page) =>
  page.getByRole('region', { name: 'Where you are signed in' }).locator('tbody tr');

async function openAccount(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Sessions and tokens' }).click();
  await expect
    .poll(() => page.getByRole('heading', { name: 'Sessions and tokens', level: 1 }).count())
    .toBe(1);
}

describe('sessions and tokens in Chromium', () => {
  it('lists and ends sessions, and makes, shows once and revokes a token', async () => {
    const created = JSON.parse(
      await h().cli([
        'workspace',
        'create',
        '--name',
        'Account Co',
        '--owner-email',
        EMAIL,
        '--json',
      ]),
    ) as { workspace_id: string };
    const a = await openPage(h().browser);
    const b = await openPage(h().browser);
    await signIn(h(), a.page, EMAIL);
    await signIn(h(), b.page, EMAIL);

    // Context A sees both sessions, its own marked.
    await openAccount(a.page);
    await expect.poll(() => sessionRows(a.page).count()).toBe(2);
    expect(await sessionRows(a.page).filter({ hasText: 'This browser' }).count()).toBe(1);

    // Signing out in B ends B's session only.
    await b.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect
      .poll(() => b.page.getByRole('heading', { name: 'Sign in to Wardroom' }).count())
      .toBe(1);
    expect(await meStatus(b.page)).toBe(401);
    expect(await meStatus(a.page)).toBe(200);

    // B signs in again; A ends B's new session from the list; B's next call is refused.
    await signIn(h(), b.page, EMAIL);
    expect(await meStatus(b.page)).toBe(200);
    await a.page.reload();
    await expect.poll(() => sessionRows(a.page).count()).toBe(2);
    await a.page.getByRole('button', { name: 'Sign out this session' }).click();
    await expect.poll(() => sessionRows(a.page).count()).toBe(1);
    expect(await meStatus(b.page)).toBe(401);
    expect(await meStatus(a.page)).toBe(200);

    // A token: created on the page, shown once with a warning, works as a bearer token.
    const tokens = a.page.getByRole('region', { name: /^API tokens in Account Co/ });
    // `workspace create` made the owner a first token; it is listed, without its secret.
    await expect.poll(() => tokens.locator('tbody tr').count()).toBe(1);
    await a.page.getByLabel('Token name').fill('deploy script');
    await a.page.getByLabel('Expires').selectOption({ label: 'In 7 days' });
    await a.page.getByRole('button', { name: 'Create token' }).click();
    const secret = a.page.getByLabel('New API token');
    await expect.poll(() => secret.count()).toBe(1);
    const token = await secret.inputValue();
    expect(token).toMatch(/^wr_[A-Za-z0-9_-]{86}$/);
    expect(await a.page.getByText('this is the only time it is shown').count()).toBe(1);
    await a.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await a.page.getByRole('button', { name: 'Copy token' }).click();
    await expect.poll(() => a.page.getByText('Copied to the clipboard.').count()).toBe(1);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    expect(await withToken(token, created.workspace_id)).toBe(200);

    const row = tokens.locator('tbody tr').filter({ hasText: 'deploy script' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain(`…${token.slice(-4)}`);
    expect(await row.textContent()).toContain('Active');
    await a.page.getByRole('button', { name: 'I have stored it' }).click();
    await a.page.reload();
    await expect.poll(() => row.count()).toBe(1);
    expect(await a.page.content()).not.toContain(token);
    await checkPage(a.page, 'account');

    // Revoking asks first; then the token is refused.
    await a.page.getByRole('button', { name: 'Revoke deploy script' }).click();
    await a.page.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect.poll(() => row.textContent()).toContain('Revoked');
    expect(await withToken(token, created.workspace_id)).toBe(401);

    // Sign out everywhere asks first, then ends this browser's session too.
    await a.page.getByRole('button', { name: 'Sign out everywhere…' }).click();
    await a.page.getByRole('button', { name: 'Cancel' }).click();
    expect(await meStatus(a.page)).toBe(200);
    await a.page.getByRole('button', { name: 'Sign out everywhere…' }).click();
    await a.page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
    await expect
      .poll(() => a.page.getByRole('heading', { name: 'Sign in to Wardroom' }).count())
      .toBe(1);
    expect(await meStatus(a.page)).toBe(401);

    expect(a.violations).toEqual([]);
    expect(b.violations).toEqual([]);
    await a.context.close();
    await b.context.close();
  }, 120_000);
});
