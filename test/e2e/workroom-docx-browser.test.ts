/**
 * The workroom's "Export .docx" in Chromium: an owner (workspace made with
 * the CLI) signs in, a workroom with two conversations and their messages
 * is made through the API with the page's session, the Workroom page offers
 * "Export .docx", and the file the browser downloads is a Word document
 * holding the workroom's name and every message, in order. A viewer gets
 * the same link and the same file. The page passes checkPage (screenshot,
 * axe, 1280px) with no CSP violation.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, openPage, signIn, useConsoleHarness } from '../support/browser.js';
import { docxParagraphs } from '../support/docx.js';

const OWNER = 'owner@docx.test';
const VIEWER = 'viewer@docx.test';
const NAME = 'Docx Browser Co';
const MESSAGES = ['Kick-off: scope agreed', 'Budget — 12 000 €', 'Timeline: «Q3»', 'Sign-off'];

const h = useConsoleHarness();
let downloads = '';

beforeAll(async () => {
  downloads = await mkdtemp(path.join(os.tmpdir(), 'wardroom-docx-downloads-'));
});

afterAll(async () => {
  if (downloads !== '') await rm(downloads, { recursive: true, force: true });
});

/** A changing API call with the page's session: its CSRF token and Origin, like the console's. */
async function apiPost<T>(page: Page, url: string, body: object): Promise<T> {
  const base = h().server.url;
  const me = (await (await page.request.get(`${base}/api/v1/me`)).json()) as { csrf_token: string };
  const res = await page.request.post(`${base}${url}`, {
    data: body,
    headers: { 'x-csrf-token': me.csrf_token, origin: base },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as T;
}

async function downloadDocx(page: Page, file: string): Promise<{ name: string; bytes: Buffer }> {
  const [event] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export .docx' }).click(),
  ]);
  const target = path.join(downloads, file);
  await event.saveAs(target);
  return { name: event.suggestedFilename(), bytes: await readFile(target) };
}

describe('Export .docx on the Workroom page', () => {
  let ws = '';
  let workroom = '';

  it('downloads the workroom as a Word document holding every message in order', async () => {
    await h().cli(['workspace', 'create', '--name', NAME, '--owner-email', OWNER]);
    const { page, context, violations } = await openPage(h().browser);
    await signIn(h(), page, OWNER);
    const list = (await (await page.request.get(`${h().server.url}/api/v1/workspaces`)).json()) as {
      items: { workspace_id: string; workspace_name: string }[];
    };
    ws = list.items.find((w) => w.workspace_name === NAME)?.workspace_id ?? '';
    expect(ws).toMatch(/^[0-9a-f-]{36}$/);
    workroom = (
      await apiPost<{ id: string }>(page, `/api/v1/workspaces/${ws}/workrooms`, {
        name: 'Proposal: Acme',
      })
    ).id;
    for (const [title, contents] of [
      ['Scope', MESSAGES.slice(0, 2)],
      ['Plan', MESSAGES.slice(2)],
    ] as const) {
      const conv = await apiPost<{ id: string }>(
        page,
        `/api/v1/workspaces/${ws}/workrooms/${workroom}/conversations`,
        { title },
      );
      for (const content of contents) {
        await apiPost(page, `/api/v1/workspaces/${ws}/conversations/${conv.id}/messages`, {
          content,
        });
      }
    }
    await page.goto(`${h().server.url}/app/workrooms/${workroom}`);
    await expect
      .poll(() => page.getByRole('heading', { level: 1, name: 'Proposal: Acme' }).count())
      .toBe(1);
    await checkPage(page, 'workroom-docx');

    const file = await downloadDocx(page, 'owner.docx');
    expect(file.name).toBe(`Proposal-Acme-${workroom.slice(0, 8)}.docx`);
    const text = await docxParagraphs(file.bytes);
    expect(text[0]).toBe('Proposal: Acme');
    const order = ['Scope', ...MESSAGES.slice(0, 2), 'Plan', ...MESSAGES.slice(2)].map((want) =>
      text.indexOf(want),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(violations).toEqual([]);
    await context.close();
  });

  it('gives a viewer the same link and the same messages', async () => {
    const owner = await openPage(h().browser);
    await signIn(h(), owner.page, OWNER);
    await apiPost(owner.page, `/api/v1/workspaces/${ws}/members`, {
      email: VIEWER,
      role: 'viewer',
    });
    await owner.context.close();
    const { page, context, violations } = await openPage(h().browser);
    await signIn(h(), page, VIEWER);
    await page.goto(`${h().server.url}/app/workrooms/${workroom}`);
    await expect
      .poll(() => page.getByRole('heading', { level: 1, name: 'Proposal: Acme' }).count())
      .toBe(1);
    const file = await downloadDocx(page, 'viewer.docx');
    const text = await docxParagraphs(file.bytes);
    for (const m of MESSAGES) expect(text).toContain(m);
    expect(violations).toEqual([]);
    await context.close();
  });
});
