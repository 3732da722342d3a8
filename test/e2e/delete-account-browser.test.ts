/**
 * "Delete my account" in Chromium: the button waits for the typed email;
 * the last owner of a workspace is told why not and nothing changes; once
 * another owner exists, deleting signs the browser out, the old session is
 * refused and the person reads "Deleted User" in the workspace's members.
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

const EMAIL = 'leaver@delete.test';
const OTHER = 'stayer@delete.test';

const meStatus = async (page: Page) =>
  (await page.request.get(`${h().server.url}/api/v1/me`)).status();

describe('Delete my account in Chromium', () => {
  it('asks for the email, refuses the last owner, then deletes and signs out', async () => {
    const created = JSON.parse(
      await h().cli([
        'workspace',
        'create',
        '--name',
        'Leaving Co',
        '--owner-email',
        EMAIL,
        '--json',
      ]),
    ) as { workspace_id: string; token: string };
    const a = await openPage(h().browser);
    await signIn(h(), a.page, EMAIL);
    await a.page.getByRole('link', { name: 'Sessions and tokens' }).click();
    const panel = a.page.getByRole('region', { name: 'Delete my account' });
    await expect.poll(() => panel.count()).toBe(1);
    const field = panel.getByLabel(/Type your email address/);
    const button = panel.getByRole('button', { name: 'Delete my account' });

    await field.fill('someone@else.test');
    expect(await button.isDisabled()).toBe(true);
    await field.fill(EMAIL);
    expect(await button.isDisabled()).toBe(false);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await checkPage(a.page, 'account-delete');

    // The only owner of Leaving Co: refused, and still signed in.
    await button.click();
    await expect
      .poll(() => panel.getByRole('alert').textContent())
      .toContain('You are the last owner of a workspace');
    expect(await meStatus(a.page)).toBe(200);

    // Another owner; now it goes through.
    const invited = await fetch(
      `${h().server.url}/api/v1/workspaces/${created.workspace_id}/members`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${created.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: OTHER, role: 'owner' }),
      },
    );
    expect(invited.status).toBe(201);
    await button.click();
    await expect
      .poll(() => a.page.getByRole('heading', { name: 'Sign in to Wardroom' }).count())
      .toBe(1);
    expect(await meStatus(a.page)).toBe(401);

    // The owner's own API token ended with the account; the other owner sees "Deleted User".
    const gone = await fetch(
      `${h().server.url}/api/v1/workspaces/${created.workspace_id}/workrooms`,
      {
        headers: { authorization: `Bearer ${created.token}` },
      },
    );
    expect(gone.status).toBe(401);
    const other = JSON.parse(
      await h().cli([
        'token',
        'create',
        '--workspace',
        created.workspace_id,
        '--email',
        OTHER,
        '--json',
      ]),
    ) as { token: string };
    const members = await fetch(
      `${h().server.url}/api/v1/workspaces/${created.workspace_id}/members`,
      { headers: { authorization: `Bearer ${other.token}` } },
    );
    expect(members.status).toBe(200);
    const body = await members.text();
    expect(body).toContain('Deleted User');
    expect(body).not.toContain(EMAIL);

    expect(a.violations).toEqual([]);
    await a.context.close();
  }, 120_000);
});
