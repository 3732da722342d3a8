/**
 * The admin pages in Chromium: an owner (workspace made with the CLI)
 * signs in with the code from the outbox; adds LLM keys, replaces one and
 * revokes it on /app/llm-keys (only the last four characters ever show, and
 * no secret is in the page's HTML; a key the server refuses gets a
 * sentence); sees those events on the Activity page, narrows them with a
 * filter, pages with "Load more"; downloads the CSV and JSONL exports
 * through the page and `wardroom audit verify --file` accepts both with the
 * published key; shows where a person acted from until they delete their
 * account, then 'erased'; reads the key status; shreds the workspace, refused first
 * for a wrong typed name, then with the right one, and gets the receipt;
 * afterwards the API answers 410 workspace_shredded and the pages say so.
 * Every page passes checkPage (screenshot, axe, 1280px).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, openPage, signIn, useConsoleHarness } from '../support/browser.js';

const OWNER = 'owner@admin.test';
const NAME = 'Admin Browser Co';

// The server's clock, moved past a deletion's cooling-off (empty: the real time).
const CLOCK = path.join(os.tmpdir(), `wardroom-admin-clock-${randomBytes(6).toString('hex')}`);
const h = useConsoleHarness({ WARDROOM_TEST_CLOCK_FILE: CLOCK });
let downloads = '';

beforeAll(async () => {
  downloads = await mkdtemp(path.join(os.tmpdir(), 'wardroom-admin-downloads-'));
});

afterAll(async () => {
  if (downloads !== '') await rm(downloads, { recursive: true, force: true });
});

const anthropicKey = () => `sk-ant-api03-${randomBytes(20).toString('hex')}`;
const openaiKey = () => `sk-proj-${randomBytes(20).toString('hex')}`;

/** Goes to a page through the navigation, as a person would. */
async function visit(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await expect.poll(() => page.getByRole('heading', { level: 1, name: heading }).count()).toBe(1);
}

/** The action column of the Activity table, row by row. */
async function actions(page: Page): Promise<string[]> {
  return page.locator('table.events tbody tr td:nth-child(3)').allTextContents();
}

/** A changing API call with the page's session: its CSRF token and Origin, like the console's. */
async function apiPost(page: Page, url: string, body: object): Promise<number> {
  const base = h().server.url;
  const me = (await (await page.request.get(`${base}/api/v1/me`)).json()) as { csrf_token: string };
  const res = await page.request.post(`${base}${url}`, {
    data: body,
    headers: { 'x-csrf-token': me.csrf_token, origin: base },
  });
  return res.status();
}

async function download(page: Page, link: string, file: string): Promise<string> {
  const [event] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: link }).click(),
  ]);
  const target = path.join(downloads, file);
  await event.saveAs(target);
  return target;
}

describe('the admin pages in Chromium', () => {
  let page: Page;
  let violations: string[] = [];
  let ws = '';
  const secrets: string[] = [];

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
  });

  it('adds, replaces and revokes LLM keys, showing only the last four characters', async () => {
    await visit(page, 'LLM keys and credentials', 'LLM keys and credentials');
    await expect.poll(() => page.getByText('No keys or credentials yet').count()).toBe(1);

    const first = anthropicKey();
    const second = openaiKey();
    const replacement = anthropicKey();
    secrets.push(first, second, replacement);
    await addKey(page, 'anthropic', 'Claude production', first);
    await expect
      .poll(() => page.getByRole('cell', { name: 'Claude production', exact: true }).count())
      .toBe(1);
    await expect
      .poll(() => page.getByRole('cell', { name: `…${first.slice(-4)}` }).count())
      .toBe(1);
    await addKey(page, 'openai', 'OpenAI batch', second);
    await expect
      .poll(() => page.getByRole('cell', { name: `…${second.slice(-4)}` }).count())
      .toBe(1);

    // A key the server refuses (no sk- prefix): a sentence, and no new row.
    await addKey(page, 'openai', 'Not a key', `pk-${randomBytes(12).toString('hex')}`);
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'is not valid' }).count())
      .toBe(1);
    expect(await page.getByRole('cell', { name: 'Not a key', exact: true }).count()).toBe(0);

    await page.getByRole('button', { name: 'Replace Claude production' }).click();
    await page.getByLabel('New secret for Claude production').fill(replacement);
    await page.getByRole('button', { name: 'Save new secret' }).click();
    await expect
      .poll(() => page.getByRole('cell', { name: `…${replacement.slice(-4)}` }).count())
      .toBe(1);
    expect(await page.getByRole('cell', { name: 'Active (replaced)', exact: true }).count()).toBe(
      1,
    );
    await checkPage(page, 'llm-keys');

    await page.getByRole('button', { name: 'Revoke OpenAI batch' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect
      .poll(() => page.getByRole('cell', { name: 'Revoked', exact: true }).count())
      .toBe(1);
    expect(await page.getByRole('button', { name: 'Revoke OpenAI batch' }).count()).toBe(0);

    // No secret anywhere in the page, not even in a field's value.
    const html = await page.content();
    const values = await page
      .locator('input')
      .evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
    for (const secret of secrets) {
      expect(html).not.toContain(secret);
      expect(values.join(' ')).not.toContain(secret);
    }
  });

  it('shows those events on the Activity page, filters and pages them', async () => {
    // 55 more events of one action, so a filtered list needs "Load more".
    for (let i = 0; i < 55; i += 1) {
      expect(await apiPost(page, `/api/v1/workspaces/${ws}/workrooms`, { name: `Room ${i}` })).toBe(
        201,
      );
    }
    await visit(page, 'Activity', 'Activity');
    await expect.poll(async () => (await actions(page)).length).toBe(50);
    await filterBy(page, 'integration_credential.*');
    await expect
      .poll(
        async () =>
          (await actions(page)).filter((a) => a === 'integration_credential.created').length,
      )
      .toBe(2);
    const credentialEvents = await actions(page);
    // Created twice, then the replace and the revoke change it.
    expect(
      credentialEvents.filter((a) => a === 'integration_credential.updated').length,
    ).toBeGreaterThanOrEqual(2);
    expect(credentialEvents.every((a) => a.startsWith('integration_credential.'))).toBe(true);
    // The owner's own events name them.
    expect(await page.getByText(`you (${OWNER})`).count()).toBeGreaterThan(0);
    await checkPage(page, 'activity');

    await filterBy(page, 'workroom.created');
    await expect.poll(async () => (await actions(page)).length).toBe(50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(async () => (await actions(page)).length).toBe(55);
    expect(new Set(await actions(page))).toEqual(new Set(['workroom.created']));
    expect(await page.getByText('That is every event matching the filters.').count()).toBe(1);

    // A time range: nothing happened before 2001.
    await filterBy(page, '');
    await page.getByLabel('Before', { exact: true }).fill('2001-01-01T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByText('No events match these filters.').count()).toBe(1);
    await page.getByLabel('Before', { exact: true }).fill('');
    await filterBy(page, 'nothing.like_this');
    await expect.poll(() => page.getByText('No events match these filters.').count()).toBe(1);
    // A filter the API refuses: its sentence, with a way to try again.
    await filterBy(page, 'Not An Action!');
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'is not valid' }).count())
      .toBe(1);
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(1);
  });

  it("shows where a person acted from, and 'erased' once they deleted their account", async () => {
    const leaver = 'leaver@admin.test';
    expect(
      await apiPost(page, `/api/v1/workspaces/${ws}/members`, { email: leaver, role: 'member' }),
    ).toBe(201);
    const theirs = await openPage(h().browser);
    await signIn(h(), theirs.page, leaver);
    const base = h().server.url;
    const me = (await (await theirs.page.request.get(`${base}/api/v1/me`)).json()) as {
      user: { id: string };
      csrf_token: string;
    };
    const fromCells = () =>
      page
        .locator('table.events tbody tr')
        .filter({ hasText: me.user.id })
        .locator('td:last-child')
        .allTextContents();
    await visit(page, 'Activity', 'Activity');
    await filterBy(page, 'auth.*');
    // Their sign-in, opened for the owner: the address and browser it came from.
    await expect.poll(async () => (await fromCells()).length).toBeGreaterThan(0);
    for (const cell of await fromCells()) expect(cell).toMatch(/^127\.0\.0\.1 · Mozilla\/5\.0/);

    const deleted = await theirs.page.request.post(`${base}/api/v1/account/delete`, {
      data: { confirm_email: leaver },
      headers: { 'x-csrf-token': me.csrf_token, origin: base },
    });
    // Scheduled: it runs once the cooling-off has passed.
    expect(deleted.status()).toBe(202);
    await theirs.context.close();
    await writeFile(CLOCK, '+8d');
    try {
      expect(JSON.parse(await h().cli(['privacy', 'run-due']))).toMatchObject({
        claimed: 1,
        completed: 1,
      });
    } finally {
      await writeFile(CLOCK, '');
    }
    await filterBy(page, 'nothing.like_this');
    await filterBy(page, 'auth.*');
    await expect.poll(async () => (await fromCells()).length).toBeGreaterThan(0);
    await expect.poll(async () => [...new Set(await fromCells())]).toEqual(['erased']);
    // The owner's own events still show where they came from.
    const mine = await page
      .locator('table.events tbody tr')
      .filter({ hasText: `you (${OWNER})` })
      .locator('td:last-child')
      .allTextContents();
    expect(mine.length).toBeGreaterThan(0);
    for (const cell of mine) expect(cell).not.toBe('erased');
    await checkPage(page, 'activity-erased');
  });

  it('downloads CSV and JSONL exports that `wardroom audit verify --file` accepts', async () => {
    await h().cli(['audit', 'checkpoint', '--workspace', ws]);
    const key = (await (
      await page.request.get(`${h().server.url}/.well-known/wardroom-audit-key`)
    ).json()) as { public_key: string };
    for (const [link, file] of [
      ['Export CSV', 'activity.csv'],
      ['Export JSONL', 'activity.jsonl'],
    ] as const) {
      const saved = await download(page, link, file);
      const text = await readFile(saved, 'utf8');
      expect(text, file).toContain('integration_credential.created');
      for (const secret of secrets) expect(text).not.toContain(secret);
      const out = await h().cli([
        'audit',
        'verify',
        '--file',
        saved,
        '--public-key',
        key.public_key,
      ]);
      expect(out, file).toMatch(
        new RegExp(`^ok ${ws}: \\d+ events, .*complete up to the signed head`),
      );
    }
    // A file edited after the download does not verify.
    const saved = await download(page, 'Export JSONL', 'edited.jsonl');
    const original = await readFile(saved, 'utf8');
    const edited = original.replace(
      'integration_credential.created',
      'integration_credential.deleted',
    );
    expect(edited).not.toBe(original);
    await writeFile(saved, edited);
    await expect(
      h().cli(['audit', 'verify', '--file', saved, '--public-key', key.public_key]),
    ).rejects.toThrow(/failed/);
  }, 120_000);

  it('keeps a viewer out of the admin pages, and the API refuses them too', async () => {
    const email = 'viewer@admin.test';
    expect(await apiPost(page, `/api/v1/workspaces/${ws}/members`, { email, role: 'viewer' })).toBe(
      201,
    );
    const viewer = await openPage(h().browser);
    await signIn(h(), viewer.page, email);
    const nav = viewer.page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Workspaces' }).count()).toBe(1);
    for (const title of ['Activity', 'LLM keys and credentials', 'Keys and deletion']) {
      expect(await nav.getByRole('link', { name: title }).count(), title).toBe(0);
    }
    await viewer.page.goto(`${h().server.url}/app/llm-keys`);
    await expect
      .poll(() => viewer.page.getByText('This page needs the admin role or above').count())
      .toBe(1);
    await viewer.page.goto(`${h().server.url}/app/settings/keys`);
    await expect
      .poll(() => viewer.page.getByText('This page needs the owner role or above').count())
      .toBe(1);
    for (const url of ['activity', 'credentials', 'keys']) {
      const res = await viewer.page.request.get(`${h().server.url}/api/v1/workspaces/${ws}/${url}`);
      expect(res.status(), url).toBe(403);
    }
    expect(viewer.violations).toEqual([]);
    await viewer.context.close();
  });

  it('shows the key status, refuses a wrong name, then shreds and shows the receipt', async () => {
    await visit(page, 'Keys and deletion', 'Keys and deletion');
    await expect.poll(() => page.getByText('version 1').count()).toBeGreaterThan(0);
    expect(await page.getByText('a key file on the server').count()).toBe(1);
    await checkPage(page, 'keys');

    const confirm = page.getByLabel(`Type the workspace name, ${NAME}, to confirm`);
    await confirm.fill(`${NAME}.`);
    await page.getByRole('button', { name: 'Shred this workspace' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: "not the workspace's name" }).count())
      .toBe(1);
    expect(
      (await page.request.get(`${h().server.url}/api/v1/workspaces/${ws}/keys`)).status(),
    ).toBe(200);

    await confirm.fill(NAME);
    await page.getByRole('button', { name: 'Shred this workspace' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: `${NAME} has been shredded` }).count())
      .toBe(1);
    // The workspace's stored objects were deleted after the shred (it had none).
    expect(await page.getByTestId('objects-deleted').textContent()).toBe('0');
    const receiptText = await page.getByLabel('Signed receipt (JSON)').inputValue();
    const receipt = JSON.parse(receiptText) as {
      receipt: { receipt_id: string; workspace_id: string };
    };
    // The receipt as the page shows it verifies offline, as the page says, with the published key.
    const receiptFile = path.join(downloads, 'receipt.json');
    await writeFile(receiptFile, receiptText);
    const key = (await (
      await page.request.get(`${h().server.url}/.well-known/wardroom-audit-key`)
    ).json()) as { public_key: string };
    expect(
      await h().cli(['keys', 'verify-receipt', receiptFile, '--public-key', key.public_key]),
    ).toContain('shred receipt: signature valid');
    expect(receipt.receipt.workspace_id).toBe(ws);
    expect(
      await page.locator('.facts code').filter({ hasText: receipt.receipt.receipt_id }).count(),
    ).toBe(1);
    await checkPage(page, 'keys-shredded');

    const after = await page.request.get(`${h().server.url}/api/v1/workspaces/${ws}/activity`);
    expect(after.status()).toBe(410);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe(
      'workspace_shredded',
    );
    await visit(page, 'Activity', 'Activity');
    await expect
      .poll(() => page.getByText('This workspace has been permanently deleted.').count())
      .toBe(1);
    await visit(page, 'Keys and deletion', 'Keys and deletion');
    await expect
      .poll(() => page.getByText('This workspace has been permanently deleted.').count())
      .toBe(1);
    expect(await page.getByRole('button', { name: 'Shred this workspace' }).count()).toBe(0);
    // Nothing on any of these pages broke the CSP.
    expect(violations).toEqual([]);
    await page.context().close();
  }, 60_000);
});

async function addKey(page: Page, provider: string, name: string, secret: string): Promise<void> {
  await page.getByLabel('Kind').selectOption('llm_api_key');
  await page.getByLabel('Provider').selectOption(provider);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Secret', { exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}

async function filterBy(page: Page, action: string): Promise<void> {
  await page.getByLabel('Action', { exact: true }).fill(action);
  await page.getByRole('button', { name: 'Apply filters' }).click();
}
