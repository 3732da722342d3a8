/**
 * Contacts and the public opt-out in Chromium. An owner (workspace made with
 * the CLI) signs in, adds contacts on the Contacts page and deletes one after
 * a confirmation. Then, in a browser context with no session, a person opens
 * `/privacy/optout`, asks for their address, reads the code from the
 * server's outbox, confirms it and sees the confirmation; the server's job
 * worker deletes the contact, the owner's page no longer lists it, and
 * adding the address again is refused in a sentence. Both pages pass
 * checkPage (screenshot, axe, 1280px) and break no rule of the CSP.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage,
  codeIn,
  openPage,
  signIn,
  startConsoleHarness,
  type ConsoleHarness,
} from '../support/browser.js';

const OWNER = 'owner@contacts.test';
const NAME = 'Contacts Browser Co';
const PERSON = 'ada.person@optout.test';

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
const cell = (page: Page, name: string) => page.getByRole('cell', { name, exact: true }).count();

async function visitContacts(page: Page): Promise<void> {
  await nav(page).getByRole('link', { name: 'Contacts' }).click();
  await expect
    .poll(() => page.getByRole('heading', { level: 1, name: 'Contacts' }).count())
    .toBe(1);
}

async function addContact(page: Page, name: string, email: string, company = ''): Promise<void> {
  const form = page.getByRole('form', { name: 'Add a contact' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Email address').fill(email);
  await form.getByLabel('Company (optional)').fill(company);
  await form.getByRole('button', { name: 'Add contact' }).click();
}

describe('contacts and the opt-out in Chromium', () => {
  let owner: Page;
  let ownerViolations: string[] = [];

  it('lets the owner add and delete contacts', async () => {
    await h().cli(['workspace', 'create', '--name', NAME, '--owner-email', OWNER]);
    const watched = await openPage(h().browser);
    owner = watched.page;
    ownerViolations = watched.violations;
    await signIn(h(), owner, OWNER);
    await visitContacts(owner);
    await expect.poll(() => owner.getByText('No contacts yet. Add one below.').count()).toBe(1);
    await addContact(owner, 'Ada Person', PERSON, 'Analytical Engines');
    await expect.poll(() => cell(owner, PERSON)).toBe(1);
    expect(await cell(owner, 'Analytical Engines')).toBe(1);
    await addContact(owner, 'Brief Contact', 'brief@contacts.test');
    await expect.poll(() => cell(owner, 'brief@contacts.test')).toBe(1);
    await owner.getByRole('button', { name: 'Delete Brief Contact' }).click();
    await owner.getByRole('button', { name: 'Confirm delete' }).click();
    await expect.poll(() => cell(owner, 'brief@contacts.test')).toBe(0);
    expect(await cell(owner, PERSON)).toBe(1);
    await checkPage(owner, 'contacts');
  });

  it('walks a person through the opt-out with the emailed code', async () => {
    const watched = await openPage(h().browser);
    const person = watched.page;
    await person.goto(`${h().server.url}/privacy/optout`);
    await expect
      .poll(() =>
        person.getByRole('heading', { level: 1, name: 'Opt out of being a contact' }).count(),
      )
      .toBe(1);
    await checkPage(person, 'optout-email');
    await person.getByLabel('Your email address').fill(PERSON);
    await person.getByRole('button', { name: 'Email me a code' }).click();
    await expect.poll(() => person.getByLabel('Code').count()).toBe(1);
    const outbox = path.join(h().dataDir, 'outbox');
    let code: string | undefined;
    await expect
      .poll(
        async () => {
          code = await codeIn(outbox, PERSON);
          return code;
        },
        { timeout: 15_000 },
      )
      .toMatch(/^\d{6}$/);
    // A wrong code first: a sentence, and the form stays.
    const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await person.getByLabel('Code').fill(wrongCode);
    await person.getByRole('button', { name: 'Confirm opt-out' }).click();
    await expect
      .poll(() =>
        person.getByText('That code is not right. Check the email and try again.').count(),
      )
      .toBe(1);
    await person.getByLabel('Code').fill(code ?? '');
    await person.getByRole('button', { name: 'Confirm opt-out' }).click();
    await expect
      .poll(() => person.getByRole('heading', { name: 'Your opt-out is confirmed' }).count())
      .toBe(1);
    await checkPage(person, 'optout-confirmed');
    expect(watched.violations).toEqual([]);
  });

  it('deletes the contact, and refuses to add the address again', async () => {
    await expect
      .poll(
        async () => {
          await owner.reload();
          await expect
            .poll(() => owner.getByRole('heading', { level: 1, name: 'Contacts' }).count())
            .toBe(1);
          await expect
            .poll(() => owner.getByRole('form', { name: 'Add a contact' }).count())
            .toBe(1);
          return cell(owner, PERSON);
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(0);
    await addContact(owner, 'Ada Again', PERSON.toUpperCase());
    await expect
      .poll(() =>
        owner
          .getByText(
            'This address asked not to be held as a contact (a privacy opt-out), so it cannot be added.',
          )
          .count(),
      )
      .toBe(1);
    expect(ownerViolations).toEqual([]);
  });
});
