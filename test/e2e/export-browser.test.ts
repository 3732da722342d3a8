/**
 * An access request walked from the console to the downloaded file, in
 * Chromium against a real server (its pg-boss worker runs the export): the
 * owner logs an access request on Data residency, verifies it, starts work,
 * clicks "Export for this request", waits for the export to complete, clicks
 * Download and gets a zip holding the workspace's messages; the request
 * shows completed, the emailed link is in the outbox, and Activity names
 * the export's events. Then a member exports their own data from My data
 * and downloads a zip with their messages and nobody else's. Both pages
 * pass checkPage (screenshot, axe, 1280px) and break no rule of the CSP.
 */
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, unzip } from '../privacy/export-files.js';
import {
  checkPage,
  openPage,
  signIn,
  startConsoleHarness,
  type ConsoleHarness,
} from '../support/browser.js';

const OWNER = 'owner@export.test';
const MEMBER = 'member@export.test';
const NAME = 'Export Browser Co';
const OWNER_WORDS = 'owner-words-e1a9';
const MEMBER_WORDS = 'member-words-77c2';

let harness: ConsoleHarness | undefined;
const h = (): ConsoleHarness => {
  if (harness === undefined) throw new Error('the harness did not start');
  return harness;
};

/** A free port, so the server's public URL (the base of download links) can name it. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = String(await freePort());
  harness = await startConsoleHarness({
    PORT: port,
    WARDROOM_PUBLIC_URL: `http://127.0.0.1:${port}`,
  });
}, 180_000);
afterAll(async () => {
  await harness?.stop();
});

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });

/** A write through the API as the signed-in page (session cookie, CSRF token). */
async function post(page: Page, url: string, data: object): Promise<{ id: string }> {
  const base = h().server.url;
  const me = (await (await page.request.get(`${base}/api/v1/me`)).json()) as {
    csrf_token: string;
  };
  const res = await page.request.post(`${base}/api/v1${url}`, {
    data,
    headers: { 'x-csrf-token': me.csrf_token, origin: base },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as { id: string };
}

/** Clicks the Download link of `where` and answers the downloaded file's bytes. */
async function download(page: Page, where: ReturnType<typeof row>): Promise<Buffer> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    where.getByRole('link', { name: 'Download' }).click(),
  ]);
  expect(file.suggestedFilename()).toMatch(/\.zip$/);
  const saved = await file.path();
  return readFile(saved);
}

/** The emails in the outbox sent to `to`, as text. */
async function mailTo(to: string): Promise<string[]> {
  const outbox = path.join(h().dataDir, 'outbox');
  const files = (await readdir(outbox).catch(() => [] as string[])).filter((f) =>
    f.endsWith('.eml'),
  );
  const found: string[] = [];
  for (const file of files) {
    const mail = await simpleParser(await readFile(path.join(outbox, file)));
    const recipients = [mail.to].flat().flatMap((a) => a?.value ?? []);
    if (recipients.some((a) => a.address === to)) found.push(mail.text ?? '');
  }
  return found;
}

describe('exports in Chromium', () => {
  let owner: Page;
  let violations: string[] = [];
  let ws = '';
  let conversation = '';

  it('signs the owner in, with a conversation holding a message', async () => {
    await h().cli(['workspace', 'create', '--name', NAME, '--owner-email', OWNER]);
    const watched = await openPage(h().browser);
    owner = watched.page;
    violations = watched.violations;
    await signIn(h(), owner, OWNER);
    const list = (await (
      await owner.request.get(`${h().server.url}/api/v1/workspaces`)
    ).json()) as {
      items: { workspace_id: string; workspace_name: string }[];
    };
    ws = list.items.find((w) => w.workspace_name === NAME)?.workspace_id ?? '';
    expect(ws).toMatch(/^[0-9a-f-]{36}$/);
    const room = await post(owner, `/workspaces/${ws}/workrooms`, { name: 'Proposals' });
    conversation = (
      await post(owner, `/workspaces/${ws}/workrooms/${room.id}/conversations`, { title: 'Q3' })
    ).id;
    await post(owner, `/workspaces/${ws}/conversations/${conversation}/messages`, {
      content: `${OWNER_WORDS} the proposal`,
    });
  }, 120_000);

  it('walks an access request to its export and downloads the zip', async () => {
    await nav(owner).getByRole('link', { name: 'Data residency' }).click();
    const form = owner.getByRole('form', { name: 'Create request' });
    await form.getByLabel("Requester's email").fill('ada@example.test');
    await form.getByLabel("Requester's name (optional)").fill('Ada Lovelace');
    await form.getByRole('button', { name: 'Create request' }).click();
    const ada = row(owner, 'Ada Lovelace');
    await expect.poll(() => ada.count()).toBe(1);
    await ada.getByRole('button', { name: 'Mark identity verified' }).click();
    await expect.poll(() => ada.getByRole('button', { name: 'Start work' }).count()).toBe(1);
    await ada.getByRole('button', { name: 'Start work' }).click();
    await expect
      .poll(() => ada.getByRole('button', { name: 'Export for this request' }).count())
      .toBe(1);
    await ada.getByRole('button', { name: 'Export for this request' }).click();
    const exported = row(owner, '(access request)');
    await expect
      .poll(() => exported.getByRole('link', { name: 'Download' }).count(), { timeout: 60_000 })
      .toBe(1);
    const files = await unzip(await download(owner, exported));
    const messages = lines(files.get('messages.jsonl')).map((m) => m['content']);
    expect(messages).toEqual([`${OWNER_WORDS} the proposal`]);
    // The request is completed by its export.
    await expect
      .poll(() => ada.getByRole('cell', { name: 'Completed', exact: true }).count(), {
        timeout: 15_000,
      })
      .toBe(1);
    // The link was emailed to the owner.
    await expect
      .poll(async () => (await mailTo(OWNER)).some((t) => t.includes('/api/v1/objects/download')))
      .toBe(true);
    await checkPage(owner, 'export-residency');
  }, 120_000);

  it('shows the export events on the Activity page', async () => {
    await nav(owner).getByRole('link', { name: 'Activity' }).click();
    await expect
      .poll(() => owner.getByText('Export completed:', { exact: false }).count())
      .toBeGreaterThan(0);
    for (const label of ['Export requested:', 'Export started:', 'File downloaded:']) {
      expect(await owner.getByText(label, { exact: false }).count(), label).toBeGreaterThan(0);
    }
    expect(violations).toEqual([]);
  }, 60_000);

  it('lets a member export their own data from My data', async () => {
    await post(owner, `/workspaces/${ws}/members`, { email: MEMBER, role: 'member' });
    const member = await openPage(h().browser);
    await signIn(h(), member.page, MEMBER);
    await post(member.page, `/workspaces/${ws}/conversations/${conversation}/messages`, {
      content: `${MEMBER_WORDS} my reply`,
    });
    await nav(member.page).getByRole('link', { name: 'My data' }).click();
    await expect
      .poll(() => member.page.getByRole('heading', { level: 1, name: 'My data' }).count())
      .toBe(1);
    expect(await nav(member.page).getByRole('link', { name: 'Data residency' }).count()).toBe(0);
    await member.page.getByRole('button', { name: 'Export my data' }).click();
    const mine = member.page.getByRole('row').filter({ hasText: 'Completed' });
    await expect
      .poll(() => mine.getByRole('link', { name: 'Download' }).count(), { timeout: 60_000 })
      .toBe(1);
    const files = await unzip(await download(member.page, mine));
    expect(lines(files.get('messages.jsonl')).map((m) => m['content'])).toEqual([
      `${MEMBER_WORDS} my reply`,
    ]);
    for (const text of files.values()) expect(text).not.toContain(OWNER_WORDS);
    await checkPage(member.page, 'export-my-data');
    expect(member.violations).toEqual([]);
    await member.context.close();
  }, 120_000);
});
