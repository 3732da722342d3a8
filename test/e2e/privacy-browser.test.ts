/**
 * Settings → Data residency in Chromium. An owner (workspace made with the
 * CLI in the eu region) sees the region and its law, logs a privacy request
 * (sealed requester, GDPR deadline), walks it through identity
 * verification and work, extends its deadline with a reason, completes it,
 * denies a second one with a reason, changes the region to us and sees the
 * next request logged under the CCPA while the first keeps the GDPR. The
 * Activity page names the events in words. The page passes checkPage
 * (screenshot, axe, 1280px) and breaks no rule of the CSP.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateOf } from '../../src/modules/privacy/calendar.js';
import { dueDate, extendedDueDate } from '../../src/modules/privacy/laws.js';
import {
  checkPage,
  openPage,
  signIn,
  startConsoleHarness,
  type ConsoleHarness,
} from '../support/browser.js';

const OWNER = 'owner@privacy.test';
const NAME = 'Privacy Browser Co';

let harness: ConsoleHarness | undefined;
const h = (): ConsoleHarness => {
  if (harness === undefined) throw new Error('the harness did not start');
  return harness;
};

beforeAll(async () => {
  harness = await startConsoleHarness();
}, 180_000);

afterAll(async () => {
  await harness?.stop();
});

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });

async function visitResidency(page: Page): Promise<void> {
  await nav(page).getByRole('link', { name: 'Data residency' }).click();
  await expect
    .poll(() => page.getByRole('heading', { level: 1, name: 'Data residency' }).count())
    .toBe(1);
}

async function logRequest(
  page: Page,
  fields: { type?: string; email: string; name: string; jurisdiction?: string },
): Promise<void> {
  const form = page.getByRole('form', { name: 'Create request' });
  if (fields.type !== undefined) await form.getByLabel('Type').selectOption(fields.type);
  await form.getByLabel("Requester's email").fill(fields.email);
  await form.getByLabel("Requester's name (optional)").fill(fields.name);
  if (fields.jurisdiction !== undefined) {
    await form.getByLabel('Their stated jurisdiction (optional)').fill(fields.jurisdiction);
  }
  await form.getByRole('button', { name: 'Create request' }).click();
  await expect.poll(() => row(page, fields.name).count()).toBe(1);
}

describe('the Data residency page in Chromium', () => {
  let owner: Page;
  let violations: string[] = [];
  const today = dateOf(new Date());

  it('signs the owner in and shows the region with its law', async () => {
    await h().cli([
      'workspace',
      'create',
      '--name',
      NAME,
      '--region',
      'eu',
      '--owner-email',
      OWNER,
    ]);
    const watched = await openPage(h().browser);
    owner = watched.page;
    violations = watched.violations;
    await signIn(h(), owner, OWNER);
    await visitResidency(owner);
    await expect.poll(() => owner.getByText('European Union (eu)').count()).toBeGreaterThan(0);
    expect(await owner.getByText('GDPR (EU/EEA)', { exact: true }).count()).toBe(1);
    expect(await owner.getByText('No privacy requests yet.').count()).toBe(1);
  });

  it('logs a request and walks it to completed, extending its deadline on the way', async () => {
    await logRequest(owner, {
      email: 'ada@example.test',
      name: 'Ada Lovelace',
      jurisdiction: 'us-ca',
    });
    const ada = row(owner, 'Ada Lovelace');
    expect(await ada.getByText('GDPR (EU/EEA)').count()).toBe(1);
    expect(await ada.getByText(dueDate('gdpr', 'access', today)).count()).toBe(1);
    expect(await ada.getByRole('cell', { name: 'Received', exact: true }).count()).toBe(1);

    await ada.getByRole('button', { name: 'Mark identity verified' }).click();
    await expect
      .poll(() => ada.getByRole('cell', { name: 'Identity verified', exact: true }).count())
      .toBe(1);
    await ada.getByRole('button', { name: 'Start work' }).click();
    await expect
      .poll(() => ada.getByRole('cell', { name: 'In progress', exact: true }).count())
      .toBe(1);

    await ada.getByRole('button', { name: 'Extend…' }).click();
    const extend = owner.getByRole('form', { name: /Extend the deadline/ });
    await extend.getByLabel('Reason').fill('Records are spread over many systems');
    await extend.getByRole('button', { name: 'Extend deadline' }).click();
    const extended = extendedDueDate('gdpr', 'access', today) ?? '';
    await expect.poll(() => ada.getByText(extended).count()).toBe(1);
    expect(await ada.getByText('(extended)').count()).toBe(1);
    await checkPage(owner, 'privacy-residency');

    await ada.getByRole('button', { name: 'Mark completed' }).click();
    await expect
      .poll(() => ada.getByRole('cell', { name: 'Completed', exact: true }).count())
      .toBe(1);
    expect(await ada.getByRole('button').count()).toBe(0);
  });

  it('denies a request only with a reason', async () => {
    await logRequest(owner, { type: 'deletion', email: 'bob@example.test', name: 'Bob Example' });
    const bob = row(owner, 'Bob Example');
    await bob.getByRole('button', { name: 'Deny…' }).click();
    const deny = owner.getByRole('form', { name: /Deny the deletion request/ });
    await deny.getByLabel('Reason').fill('Identity could not be verified');
    await deny.getByRole('button', { name: 'Deny request' }).click();
    await expect.poll(() => bob.getByRole('cell', { name: /^Denied/ }).count()).toBe(1);
    expect(await bob.getByText('(Identity could not be verified)').count()).toBe(1);
  });

  it("changes the region: new requests take the new region's law, old ones keep theirs", async () => {
    await owner.getByLabel('Change the region').selectOption('us');
    await owner.getByRole('button', { name: 'Save region' }).click();
    await expect
      .poll(() => owner.getByText('The region is now United States (us).').count())
      .toBe(1);
    await expect
      .poll(() => owner.getByText('CCPA/CPRA (California)', { exact: true }).count())
      .toBe(1);
    await logRequest(owner, { email: 'cy@example.test', name: 'Cy Young' });
    const cy = row(owner, 'Cy Young');
    expect(await cy.getByText('CCPA/CPRA (California)').count()).toBe(1);
    expect(await cy.getByText(dueDate('ccpa', 'access', today)).count()).toBe(1);
    expect(await row(owner, 'Ada Lovelace').getByText('GDPR (EU/EEA)').count()).toBe(1);
  });

  it('shows the events on the Activity page, in words, without the requester', async () => {
    await nav(owner).getByRole('link', { name: 'Activity' }).click();
    await expect
      .poll(() => owner.getByText('Privacy request received:', { exact: false }).count())
      .toBeGreaterThan(0);
    expect(await owner.getByText('Data region changed:', { exact: false }).count()).toBe(1);
    expect(
      await owner.getByText('Privacy request moved:', { exact: false }).count(),
    ).toBeGreaterThan(0);
    const html = await owner.content();
    for (const personal of ['Ada Lovelace', 'ada@example.test', 'Bob Example']) {
      expect(html).not.toContain(personal);
    }
    expect(violations).toEqual([]);
  });
});
