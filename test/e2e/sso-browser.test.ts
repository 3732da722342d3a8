/**
 * Single sign-on in a real browser (Chromium via playwright-core), against
 * a real OpenID provider (oidc-provider) running in this test process: an
 * owner signs in with an email code and adds an OIDC connection on the
 * "Single sign-on" page (which passes axe), then a person who is not yet a
 * member signs in through the IdP from the sign-in page, joins just in time,
 * and lands on their workspaces. An SSO error comes back to the sign-in page
 * as a sentence. Screenshots go to test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, openPage, signIn, useConsoleHarness } from '../support/browser.js';
import { startIdp, type TestIdp } from '../sso/oidc-idp.js';

const h = useConsoleHarness();
let idp: TestIdp | undefined;
const provider = (): TestIdp => {
  if (idp === undefined) throw new Error('the IdP did not start');
  return idp;
};

beforeAll(async () => {
  idp = await startIdp([`${h().server.url}/api/v1/auth/sso/oidc/callback`]);
});

afterAll(async () => {
  await idp?.close();
});

describe('single sign-on in Chromium', () => {
  it('an admin adds an OIDC connection; a new person signs in through the IdP', async () => {
    await h().cli(['workspace', 'create', '--name', 'SSO Co', '--owner-email', 'owner@sso.test']);
    const admin = await openPage(h().browser);
    await signIn(h(), admin.page, 'owner@sso.test');
    await admin.page.getByRole('link', { name: 'Single sign-on' }).click();
    await expect
      .poll(() => admin.page.getByRole('heading', { name: 'Single sign-on', level: 1 }).count())
      .toBe(1);
    await expect.poll(() => admin.page.getByText('No connection yet').count()).toBe(1);
    await admin.page.getByRole('button', { name: 'Add a connection' }).click();
    await admin.page.getByLabel('Connection name').fill('Test IdP');
    await admin.page.getByLabel('Allowed email domains').fill('sso.test');
    await admin.page.getByLabel('People who are not members yet').selectOption('member');
    await admin.page.getByLabel('Issuer URL').fill(provider().issuer);
    await admin.page.getByLabel('Client id').fill(provider().clientId);
    await admin.page.getByLabel('Client secret').fill(provider().clientSecret);
    await checkPage(admin.page, 'sso-settings-form');
    await admin.page.getByRole('button', { name: 'Save connection' }).click();
    await expect
      .poll(() => admin.page.getByRole('cell', { name: 'Test IdP', exact: true }).count())
      .toBe(1);
    // The secret never comes back: only its last four characters.
    const html = await admin.page.content();
    expect(html).not.toContain(provider().clientSecret);
    expect(html).toContain(`…${provider().clientSecret.slice(-4)}`);
    await checkPage(admin.page, 'sso-settings');
    expect(admin.violations).toEqual([]);

    const email = 'new.person@sso.test';
    provider().accounts.set(email, { email, email_verified: true });
    provider().nextLogin = email;
    const person = await openPage(h().browser);
    await person.page.goto(`${h().server.url}/`);
    await person.page.getByLabel('Work email or workspace id').fill(email);
    await person.page.getByRole('button', { name: 'Continue with SSO' }).click();
    await expect
      .poll(() => person.page.getByRole('heading', { name: 'Workspaces' }).count(), {
        timeout: 15_000,
      })
      .toBe(1);
    await expect
      .poll(() => person.page.getByRole('cell', { name: 'SSO Co', exact: true }).count())
      .toBe(1);
    expect(await person.page.locator('header').textContent()).toContain(email);
    await checkPage(person.page, 'sso-signed-in');
    expect(person.violations).toEqual([]);
    await person.context.close();
    await admin.context.close();
  }, 120_000);

  it('shows an SSO error on the sign-in page as a sentence', async () => {
    const { page, violations, context } = await openPage(h().browser);
    await page.goto(`${h().server.url}/api/v1/auth/sso/start?email=someone%40nowhere.test`);
    expect(new URL(page.url()).search).toBe('?error=sso_not_configured');
    await expect
      .poll(() =>
        page.getByRole('alert').filter({ hasText: 'Single sign-on is not set up' }).count(),
      )
      .toBe(1);
    await checkPage(page, 'sign-in-sso-error');
    expect(violations).toEqual([]);
    await context.close();
  });
});
