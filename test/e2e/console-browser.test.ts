/**
 * The web console in a real browser (Debian's Chromium, driven by
 * playwright-core; nothing downloaded): the server from the sources with
 * the console freshly built, its own embedded PostgreSQL on a free port.
 * The sign-in page appears, is accessible (axe-core: no serious or critical
 * violation), usable by keyboard, fits 1280px, and breaks no rule of its
 * strict CSP; /docs renders; the JavaScript the sign-in page loads stays
 * under 200 KB gzip. Screenshots go to test-artifacts/ (gitignored).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  checkPage,
  openPage,
  signIn,
  useConsoleHarness,
  type InPage,
} from '../support/browser.js';

/** The budget for the sign-in page's JavaScript, gzip. */
const JS_BUDGET_BYTES = 200 * 1024;

const h = useConsoleHarness();

describe('the web console in Chromium', () => {
  it('shows an accessible sign-in page under a strict CSP, within the JavaScript budget', async () => {
    const { page, violations, scripts } = await openPage(h().browser);
    const res = await page.goto(`${h().server.url}/`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res?.headers()['x-content-type-options']).toBe('nosniff');

    await expect
      .poll(() => page.getByRole('heading', { name: 'Sign in to Wardroom' }).count())
      .toBe(1);
    const email = page.getByLabel('Email address');
    expect(await email.count()).toBe(1);
    // Keyboard: the first Tab reaches the email field, the next the button.
    await page.keyboard.press('Tab');
    expect(
      await email.evaluate((el) => el === (globalThis as unknown as InPage).document.activeElement),
    ).toBe(true);
    await page.keyboard.press('Tab');
    expect(
      await page
        .getByRole('button', { name: 'Email me a code' })
        .evaluate((el) => el === (globalThis as unknown as InPage).document.activeElement),
    ).toBe(true);
    // Nothing wider than the 1280px window.
    expect(
      await page.evaluate(
        () => (globalThis as unknown as InPage).document.documentElement.scrollWidth,
      ),
    ).toBeLessThanOrEqual(1280);

    await checkPage(page, 'sign-in');

    await page.waitForLoadState('networkidle');
    expect(scripts.length).toBeGreaterThan(0);
    const total = scripts.reduce((sum, s) => sum + s.gzip, 0);
    const line = `sign-in page JavaScript: ${scripts.length} file(s), ${(total / 1024).toFixed(1)} KB gzip (budget ${JS_BUDGET_BYTES / 1024} KB)`;
    console.log(line);
    await writeFile(path.join(ARTIFACTS, 'bundle-size.txt'), `${line}\n`);
    expect(total).toBeLessThan(JS_BUDGET_BYTES);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('serves a client-side route as the same app', async () => {
    const { page, violations } = await openPage(h().browser);
    const res = await page.goto(`${h().server.url}/app/workspaces`);
    expect(res?.status()).toBe(200);
    // Signed out, any console route shows the sign-in page.
    await expect
      .poll(() => page.getByRole('heading', { name: 'Sign in to Wardroom' }).count())
      .toBe(1);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('signs a person in with the code from their email, creates a workspace, and signs out', async () => {
    const email = 'owner@browser.test';
    await h().cli(['workspace', 'create', '--name', 'Browser Co', '--owner-email', email]);
    const { page, violations } = await openPage(h().browser);
    // Without SMTP the server writes each email to <data dir>/outbox/ as an .eml file.
    await signIn(h(), page, email);
    await expect.poll(() => page.getByRole('cell', { name: 'Browser Co' }).count()).toBe(1);
    expect(await page.locator('header').textContent()).toContain(`Signed in as ${email}`);

    // A second workspace, created in the console: the person owns it and it becomes current.
    await page.getByLabel('Workspace name').fill('Second Co');
    await page.getByLabel('Data region').selectOption('eu');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'Second Co' }).count()).toBe(1);
    await expect
      .poll(() =>
        page.getByLabel('Workspace', { exact: true }).locator('option:checked').textContent(),
      )
      .toBe('Second Co');
    const workspaces = (await (
      await page.request.get(`${h().server.url}/api/v1/workspaces`)
    ).json()) as {
      items: { workspace_name: string; role: string }[];
    };
    expect(workspaces.items.map((w) => [w.workspace_name, w.role]).sort()).toEqual([
      ['Browser Co', 'owner'],
      ['Second Co', 'owner'],
    ]);
    // A workspace name the server refuses: the page says so in words, and nothing is created.
    await page.getByLabel('Workspace name').fill('   ');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'is not valid' }).count())
      .toBe(1);
    expect(await page.getByRole('cell').filter({ hasText: /Co$/ }).count()).toBe(2);
    await checkPage(page, 'workspaces');

    // Signing out sends the CSRF token; the session is gone for the API too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Sign in to Wardroom' }).count())
      .toBe(1);
    expect((await page.request.get(`${h().server.url}/api/v1/me`)).status()).toBe(401);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('renders the API documentation at /docs', async () => {
    const { page, violations } = await openPage(h().browser);
    const res = await page.goto(`${h().server.url}/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
    await expect
      .poll(() => page.locator('.swagger-ui .info .title').textContent())
      .toMatch(/Wardroom API/);
    await expect
      .poll(() => page.locator('.swagger-ui .opblock-summary-path').count())
      .toBeGreaterThan(5);
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs.png'), fullPage: true });
    expect(violations).toEqual([]);
    await page.context().close();
  });
});
