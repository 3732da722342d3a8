/**
 * "Delete my account" in Chromium, through its cooling-off period, with the
 * server's clock moved by the test (WARDROOM_TEST_CLOCK_FILE): the panel
 * says no access export exists yet; the button waits for the typed email;
 * the last owner of a workspace is told why not and nothing changes; once
 * another owner exists, the deletion is scheduled and shown with its date
 * (and a banner), the account keeps working, a cancel and a new scheduling
 * go through; the clock moves past 7 days, `wardroom privacy run-due` runs
 * the sweep (a second run finds nothing), the receipt reaches the old
 * address once, the browser's session is gone, and the other owner's
 * Members page reads "Deleted User".
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  checkPage,
  openPage,
  seriousAxeViolations,
  signIn,
  useConsoleHarness,
} from '../support/browser.js';

const CLOCK = path.join(os.tmpdir(), `wardroom-clock-${randomBytes(6).toString('hex')}`);
const h = useConsoleHarness({ WARDROOM_TEST_CLOCK_FILE: CLOCK });

const EMAIL = 'leaver@delete.test';
const OTHER = 'stayer@delete.test';
const NOBODY = 'contact-only@delete.test';

const meStatus = async (page: Page) =>
  (await page.request.get(`${h().server.url}/api/v1/me`)).status();

/** Subjects of the emails in the outbox addressed to `to`. */
async function subjectsTo(to: string): Promise<string[]> {
  const outbox = path.join(h().dataDir, 'outbox');
  const files = (await readdir(outbox).catch(() => [] as string[])).filter((f) =>
    f.endsWith('.eml'),
  );
  const subjects: string[] = [];
  for (const file of files.sort()) {
    const mail = await simpleParser(await readFile(path.join(outbox, file)));
    const recipients = [mail.to].flat().flatMap((a) => a?.value ?? []);
    if (recipients.some((a) => a.address === to)) subjects.push(mail.subject ?? '');
  }
  return subjects;
}

async function addOwner(workspaceId: string, token: string, email: string): Promise<void> {
  const invited = await fetch(`${h().server.url}/api/v1/workspaces/${workspaceId}/members`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, role: 'owner' }),
  });
  expect(invited.status).toBe(201);
}

/** A deletion request about `email`, identity verified, through the API. */
async function verifiedDeletionRequest(ws: string, token: string, email: string): Promise<string> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const base = `${h().server.url}/api/v1/workspaces/${ws}/privacy/requests`;
  const made = await fetch(base, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'deletion', subject: { email } }),
  });
  expect(made.status).toBe(201);
  const id = ((await made.json()) as { id: string }).id;
  const moved = await fetch(`${base}/${id}/transitions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ to: 'identity_verified' }),
  });
  expect(moved.status).toBe(200);
  return id;
}

describe('Delete my account in Chromium', () => {
  it('waits out the cooling-off, then deletes, emails the receipt and signs out', async () => {
    await writeFile(CLOCK, ''); // the real time
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
    await expect.poll(() => panel.getByText('No access export yet').count()).toBe(1);
    const field = panel.getByLabel(/Type your email address/);
    const button = panel.getByRole('button', { name: 'Delete my account' });

    await field.fill('someone@else.test');
    expect(await button.isDisabled()).toBe(true);
    await field.fill(EMAIL);
    expect(await button.isDisabled()).toBe(false);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await checkPage(a.page, 'account-delete');

    // The only owner of Leaving Co: refused, nothing scheduled, still signed in.
    await button.click();
    await expect
      .poll(() => panel.getByRole('alert').textContent())
      .toContain('You are the last owner of a workspace');
    expect(await meStatus(a.page)).toBe(200);
    expect(await panel.getByText(/scheduled for deletion/).count()).toBe(0);

    // Another owner; now it is scheduled, shown with its date, and cancellable.
    await addOwner(created.workspace_id, created.token, OTHER);
    await button.click();
    const pending = panel.getByText(/Your account is scheduled for deletion/);
    await expect.poll(() => pending.count()).toBe(1);
    // Every page shows the banner (read on each page load).
    await a.page.reload();
    await expect.poll(() => a.page.locator('.deletion-banner').count()).toBe(1);
    await expect.poll(() => pending.count()).toBe(1);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await checkPage(a.page, 'account-delete-pending');
    await panel.getByRole('button', { name: 'Cancel the deletion' }).click();
    await expect
      .poll(() => panel.getByRole('button', { name: 'Delete my account' }).count())
      .toBe(1);
    expect(await subjectsTo(EMAIL)).toContain(
      'The deletion of your Wardroom account was cancelled',
    );

    // Scheduled again: the account keeps working through the cooling-off.
    await panel.getByLabel(/Type your email address/).fill(EMAIL);
    await panel.getByRole('button', { name: 'Delete my account' }).click();
    await expect.poll(() => pending.count()).toBe(1);
    expect(await meStatus(a.page)).toBe(200);
    expect(JSON.parse(await h().cli(['privacy', 'run-due']))).toEqual({
      claimed: 0,
      completed: 0,
      receipts: 0,
    });
    expect(await meStatus(a.page)).toBe(200);

    // Eight days later, the sweep runs it, once.
    await writeFile(CLOCK, '+8d');
    expect(JSON.parse(await h().cli(['privacy', 'run-due']))).toEqual({
      claimed: 1,
      completed: 1,
      receipts: 1,
    });
    expect(JSON.parse(await h().cli(['privacy', 'run-due']))).toMatchObject({ claimed: 0 });
    const receipts = (await subjectsTo(EMAIL)).filter(
      (s) => s === 'Your Wardroom account was deleted',
    );
    expect(receipts).toHaveLength(1);

    // The session is gone: the next page load is the sign-in page.
    expect(await meStatus(a.page)).toBe(401);
    await a.page.reload();
    await expect
      .poll(() => a.page.getByRole('heading', { name: 'Sign in to Wardroom' }).count())
      .toBe(1);
    const gone = await fetch(
      `${h().server.url}/api/v1/workspaces/${created.workspace_id}/workrooms`,
      {
        headers: { authorization: `Bearer ${created.token}` },
      },
    );
    expect(gone.status).toBe(401);

    // The other owner's Members page shows "Deleted User", not the address.
    const b = await openPage(h().browser);
    await signIn(h(), b.page, OTHER);
    await b.page.getByRole('link', { name: 'Members' }).click();
    await expect.poll(() => b.page.getByText('Deleted User').count()).toBeGreaterThan(0);
    expect(await b.page.getByText(EMAIL).count()).toBe(0);
    await checkPage(b.page, 'members-deleted-user');

    // A deletion request about an address with no account: confirmed, nothing is scheduled.
    const owner = JSON.parse(
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
    const requestId = await verifiedDeletionRequest(created.workspace_id, owner.token, NOBODY);
    await b.page.goto(`${h().server.url}/app/settings/residency`);
    await b.page.getByRole('button', { name: 'Confirm the deletion…' }).click();
    const form = b.page.getByRole('form', { name: 'Confirm the deletion request' });
    await expect.poll(() => form.getByText(/has no account here/).count()).toBe(1);
    await form.getByLabel(/Type the requester’s email/).fill(NOBODY);
    await form.getByRole('button', { name: 'Confirm the deletion' }).click();
    await expect
      .poll(() => form.getByRole('status').textContent())
      .toContain('nothing was scheduled and nothing was deleted');
    expect(await seriousAxeViolations(b.page)).toEqual([]);
    await checkPage(b.page, 'deletion-request-confirmed');
    const after = await fetch(
      `${h().server.url}/api/v1/workspaces/${created.workspace_id}/privacy/requests/${requestId}`,
      { headers: { authorization: `Bearer ${owner.token}` } },
    );
    expect(((await after.json()) as { state: string }).state).toBe('in_progress');

    expect(a.violations).toEqual([]);
    expect(b.violations).toEqual([]);
    await a.context.close();
    await b.context.close();
  }, 240_000);
});
