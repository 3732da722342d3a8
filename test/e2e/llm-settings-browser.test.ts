/**
 * LLM settings in Chromium: an owner (workspace made with the CLI) signs in
 * and opens "LLM settings" from the navigation; the cache is off by
 * default; a time to live out of bounds gets a sentence and changes
 * nothing; the owner turns the cache on with a TTL (the API agrees), flushes
 * it (the salt version moves on), and turns it off again. A viewer sees no
 * link, is refused the page and the API. Every state passes checkPage
 * (screenshot, axe, 1280px) and the CSP holds.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { checkPage, openPage, signIn, useConsoleHarness } from '../support/browser.js';

const OWNER = 'owner@llm-settings.test';
const NAME = 'LLM Settings Co';

const h = useConsoleHarness();

interface Settings {
  enabled: boolean;
  ttl_seconds: number;
  salt_version: number;
}

describe('the LLM settings page in Chromium', () => {
  let page: Page;
  let violations: string[] = [];
  let ws = '';

  const settings = async (): Promise<Settings> =>
    (await (
      await page.request.get(`${h().server.url}/api/v1/workspaces/${ws}/llm/cache`)
    ).json()) as Settings;

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

  it('shows the cache off by default, refuses a bad TTL, turns it on, flushes and turns it off', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'LLM settings' })
      .click();
    await expect
      .poll(() => page.getByRole('heading', { level: 1, name: 'LLM settings' }).count())
      .toBe(1);
    const enabled = page.getByLabel('Cache identical requests');
    const ttl = page.getByLabel('Keep cached answers for (seconds)');
    await expect.poll(() => enabled.count()).toBe(1);
    expect(await enabled.isChecked()).toBe(false);
    expect(await ttl.inputValue()).toBe('3600');
    await checkPage(page, 'llm-settings');

    // Out of bounds: the server's answer is what the person reads.
    await ttl.fill('999999999');
    await enabled.check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'whole number of seconds' }).count())
      .toBe(1);
    expect(await settings()).toMatchObject({ enabled: false, ttl_seconds: 3600, salt_version: 0 });
    await checkPage(page, 'llm-settings-refused');

    await ttl.fill('900');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Saved. The cache is on.').count()).toBe(1);
    expect(await settings()).toMatchObject({ enabled: true, ttl_seconds: 900, salt_version: 1 });

    await page.getByRole('button', { name: 'Flush the cache' }).click();
    await expect.poll(() => page.getByText('Flushed.', { exact: false }).count()).toBe(1);
    expect(await settings()).toMatchObject({ enabled: true, ttl_seconds: 900, salt_version: 2 });
    await checkPage(page, 'llm-settings-on');

    await page.getByLabel('Cache identical requests').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByText('Saved. The cache is off.').count()).toBe(1);
    expect(await settings()).toMatchObject({ enabled: false, ttl_seconds: 900 });
  }, 60_000);

  it('keeps a viewer out of the page, and the API refuses them too', async () => {
    const email = 'viewer@llm-settings.test';
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
    expect(await nav.getByRole('link', { name: 'LLM settings' }).count()).toBe(0);
    await viewer.page.goto(`${base}/app/settings/llm`);
    await expect
      .poll(() => viewer.page.getByText('This page needs the admin role or above').count())
      .toBe(1);
    const res = await viewer.page.request.get(`${base}/api/v1/workspaces/${ws}/llm/cache`);
    expect(res.status()).toBe(403);
    expect(viewer.violations).toEqual([]);
    await viewer.context.close();
    expect(violations).toEqual([]);
  }, 60_000);
});
