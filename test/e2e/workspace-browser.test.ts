/**
 * The main scenario in a real browser (Debian's Chromium through
 * playwright-core): an owner signs in with the code from the outbox, creates
 * a workspace, a workroom and a conversation, and posts a message; invites a
 * member (the invitation email lands in the outbox) who signs in in a second
 * browser context, sees the message and answers, and the owner's open page
 * shows the answer without a reload; a viewer sees no admin navigation, is
 * refused /app/members, and the API answers 403 to the viewer's own calls.
 * checkPage (screenshot, axe, width) on the workrooms, workroom,
 * conversation and members pages.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkPage,
  openPage,
  signIn,
  useConsoleHarness,
  type InPage,
  type Watched,
} from '../support/browser.js';

const OWNER = 'owner@acme.test';
const MEMBER = 'member@acme.test';
const VIEWER = 'viewer@acme.test';
const FIRST_MESSAGE = 'Kick-off is on Monday. Bring the numbers.';
const REPLY = 'Numbers are ready — see you Monday.';

const h = useConsoleHarness();
/** The owner's browser, kept open across the steps below. */
let owner: Watched | undefined;
const ownerPage = (): Page => {
  if (owner === undefined) throw new Error('the owner has no page');
  return owner.page;
};
let workspaceId = '';
let conversationPath = '';

afterAll(async () => {
  await owner?.context.close();
});

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const count = (page: Page, text: string) => page.getByText(text, { exact: true }).count();

/** Every email in the outbox addressed to `to`: subject and text. */
async function mailTo(to: string): Promise<{ subject: string; text: string }[]> {
  const outbox = path.join(h().dataDir, 'outbox');
  const files = (await readdir(outbox).catch(() => [] as string[])).filter((f) =>
    f.endsWith('.eml'),
  );
  const found: { subject: string; text: string }[] = [];
  for (const file of files.sort()) {
    const mail = await simpleParser(await readFile(path.join(outbox, file)));
    const recipients = [mail.to].flat().flatMap((a) => a?.value ?? []);
    if (recipients.some((a) => a.address === to)) {
      found.push({ subject: mail.subject ?? '', text: mail.text ?? '' });
    }
  }
  return found;
}

/** A call to the API from inside the page (its cookie, its CSRF token): status and error code. */
async function apiFromPage(
  page: Page,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; code: string | undefined }> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const me = (await (await fetch('/api/v1/me')).json()) as { csrf_token: string };
      const res = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
      return { status: res.status, code: json.error?.code };
    },
    { method, url, body },
  );
}

async function createWorkspaceInConsole(page: Page): Promise<void> {
  await page.getByLabel('Workspace name').fill('Acme');
  await page.getByLabel('Data region').selectOption('eu');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect.poll(() => page.getByRole('cell', { name: 'Acme' }).count()).toBe(1);
  const workspaces = (await (
    await page.request.get(`${h().server.url}/api/v1/workspaces`)
  ).json()) as {
    items: { workspace_id: string; workspace_name: string; role: string }[];
  };
  const acme = workspaces.items.find((w) => w.workspace_name === 'Acme');
  expect(acme?.role).toBe('owner');
  workspaceId = acme?.workspace_id ?? '';
}

async function createRoomAndConversation(page: Page): Promise<void> {
  await nav(page).getByRole('link', { name: 'Workrooms' }).click();
  await expect.poll(() => page.getByText('Acme has no workrooms yet.').count()).toBe(1);
  // A name the server refuses (only spaces): a sentence, and nothing is created.
  await page.getByLabel('Workroom name').fill('   ');
  await page.getByRole('button', { name: 'Create workroom' }).click();
  await expect
    .poll(() => page.getByRole('alert').filter({ hasText: 'is not valid' }).count())
    .toBe(1);
  await page.getByLabel('Workroom name').fill('Launch plan');
  await page.getByRole('button', { name: 'Create workroom' }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Launch plan' }).count()).toBe(1);
  await expect
    .poll(() => count(page, 'No conversations in this workroom yet. Start one below.'))
    .toBe(1);
  await page.getByLabel('Conversation title (optional)').fill('Q3 kick-off');
  await page.getByRole('button', { name: 'Start conversation' }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Q3 kick-off' }).count()).toBe(1);
  await expect.poll(() => count(page, 'No messages yet.')).toBe(1);
  conversationPath = new URL(page.url()).pathname;
  expect(conversationPath).toMatch(/^\/app\/conversations\/[0-9a-f-]{36}$/);
}

async function postMessage(page: Page, text: string): Promise<void> {
  const url = page.url();
  const log = page.getByRole('log', { name: 'Messages' });
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Post message' }).click();
  // It appears in the thread without a reload, and the composer is cleared.
  await expect.poll(() => log.getByText(text, { exact: true }).count()).toBe(1);
  await expect.poll(() => page.getByLabel('Message', { exact: true }).inputValue()).toBe('');
  expect(page.url()).toBe(url);
}

describe('working in a workspace in Chromium', () => {
  it('an owner creates a workspace, a workroom and a conversation, and posts a message', async () => {
    // The owner is known to the server (sign-in codes go only to known addresses).
    await h().cli(['workspace', 'create', '--name', 'Seed Co', '--owner-email', OWNER]);
    owner = await openPage(h().browser);
    const page = ownerPage();
    await signIn(h(), page, OWNER);
    await createWorkspaceInConsole(page);
    await createRoomAndConversation(page);
    await postMessage(page, FIRST_MESSAGE);
    expect(await page.getByRole('log', { name: 'Messages' }).getByText('You').count()).toBe(1);
    await checkPage(page, 'conversation');

    await page.getByRole('link', { name: 'Launch plan' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Q3 kick-off' }).count()).toBe(1);
    await checkPage(page, 'workroom');
    await nav(page).getByRole('link', { name: 'Workrooms' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Launch plan' }).count()).toBe(1);
    await checkPage(page, 'workrooms');
    expect(owner.violations).toEqual([]);
  });

  it('the owner invites a member and a viewer; each invitation is emailed', async () => {
    const page = ownerPage();
    await nav(page).getByRole('link', { name: 'Members' }).click();
    await expect.poll(() => page.getByRole('cell', { name: `${OWNER} (you)` }).count()).toBe(1);
    const invite = page.getByRole('form', { name: 'Invite someone' });
    for (const [email, role, name] of [
      [MEMBER, 'member', 'Mia Member'],
      [VIEWER, 'viewer', ''],
    ] as const) {
      await invite.getByLabel('Email address').fill(email);
      await invite.getByLabel('Display name (optional)').fill(name);
      await invite.getByLabel('Role').selectOption(role);
      await invite.getByRole('button', { name: 'Invite' }).click();
      await expect
        .poll(() => page.getByRole('status').textContent())
        .toBe(`Invited ${email} as ${role}. The invitation email is on its way.`);
      await expect.poll(() => page.getByRole('cell', { name: email, exact: true }).count()).toBe(1);
      await expect.poll(async () => (await mailTo(email)).length).toBe(1);
      const [mail] = await mailTo(email);
      expect(mail?.subject).toContain('invited you to Acme');
      expect(mail?.text).toContain('Acme');
    }
    // Inviting someone twice: a sentence, and no second membership.
    await invite.getByLabel('Email address').fill(MEMBER);
    await invite.getByRole('button', { name: 'Invite' }).click();
    await expect
      .poll(() =>
        invite.getByRole('alert').filter({ hasText: 'already a member of this workspace' }).count(),
      )
      .toBe(1);
    expect(await page.getByRole('cell', { name: MEMBER, exact: true }).count()).toBe(1);
  });

  it('the owner grants a named role, and is told the last owner cannot be removed', async () => {
    const page = ownerPage();
    await page.getByRole('button', { name: `Manage ${MEMBER}` }).click();
    const roles = page.getByRole('form', { name: `Roles of ${MEMBER}` });
    await roles.getByLabel('Finance lead').check();
    await roles.getByRole('button', { name: 'Save roles' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'finance_lead' }).count()).toBe(1);

    await page.getByRole('button', { name: `Manage ${OWNER}` }).click();
    await page.getByRole('button', { name: 'Remove member' }).click();
    await page.getByRole('button', { name: `Yes, remove ${OWNER}` }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'at least one owner' }).count())
      .toBe(1);
    await checkPage(page, 'members');
    await page.getByRole('button', { name: 'Close' }).click();
    expect(await page.getByRole('cell', { name: `${OWNER} (you)` }).count()).toBe(1);
    // The owner waits in the conversation for the member's answer.
    await page.goto(`${h().server.url}${conversationPath}`);
    await expect.poll(() => count(page, FIRST_MESSAGE)).toBe(1);
  });

  it('the member signs in, sees the message and answers; the owner sees it without a reload', async () => {
    const member = await openPage(h().browser);
    const { page } = member;
    await signIn(h(), page, MEMBER);
    // The membership is active: the workspace is theirs, with the role the owner gave.
    await expect.poll(() => page.getByRole('cell', { name: 'Acme' }).count()).toBe(1);
    expect(await page.getByRole('cell', { name: 'member', exact: true }).count()).toBe(1);
    expect(await nav(page).getByRole('link', { name: 'Members' }).count()).toBe(0);
    await nav(page).getByRole('link', { name: 'Workrooms' }).click();
    await page.getByRole('link', { name: 'Launch plan' }).click();
    await page.getByRole('link', { name: 'Q3 kick-off' }).click();
    const log = page.getByRole('log', { name: 'Messages' });
    await expect.poll(() => log.getByText(FIRST_MESSAGE, { exact: true }).count()).toBe(1);
    await postMessage(page, REPLY);
    expect(member.violations).toEqual([]);
    await member.context.close();

    // The owner's page picks up the answer on its own, with the member's display name.
    const ownerLog = ownerPage().getByRole('log', { name: 'Messages' });
    await expect
      .poll(() => ownerLog.getByText(REPLY, { exact: true }).count(), { timeout: 20_000 })
      .toBe(1);
    expect(await ownerLog.getByText('Mia Member').count()).toBe(1);
  });

  it('a viewer has no admin navigation, is refused /app/members, and the API says 403', async () => {
    const viewer = await openPage(h().browser);
    const { page } = viewer;
    await signIn(h(), page, VIEWER);
    expect(await nav(page).getByRole('link', { name: 'Workrooms' }).count()).toBe(1);
    expect(await nav(page).getByRole('link', { name: 'Members' }).count()).toBe(0);
    await page.goto(`${h().server.url}/app/members`);
    await expect
      .poll(() =>
        count(page, 'This page needs the admin role or above in Acme; your role is viewer.'),
      )
      .toBe(1);
    expect(await page.getByRole('table').count()).toBe(0);

    // The viewer reads the conversation but gets no composer.
    await page.goto(`${h().server.url}${conversationPath}`);
    await expect.poll(() => count(page, REPLY)).toBe(1);
    expect(await page.getByLabel('Message', { exact: true }).count()).toBe(0);

    // The API is the authority, whatever the page shows.
    const members = `/api/v1/workspaces/${workspaceId}/members`;
    expect(await apiFromPage(page, 'GET', members)).toEqual({ status: 403, code: 'forbidden' });
    expect(await apiFromPage(page, 'POST', members, { email: 'x@acme.test' })).toEqual({
      status: 403,
      code: 'forbidden',
    });
    const conversationId = conversationPath.split('/').pop() ?? '';
    expect(
      await apiFromPage(
        page,
        'POST',
        `/api/v1/workspaces/${workspaceId}/conversations/${conversationId}/messages`,
        { content: 'should not post' },
      ),
    ).toEqual({ status: 403, code: 'forbidden' });
    expect(viewer.violations).toEqual([]);
    await viewer.context.close();
  });

  it('a long conversation opens on the latest messages and loads older ones on demand', async () => {
    const page = ownerPage();
    const conversationId = conversationPath.split('/').pop() ?? '';
    const url = `/api/v1/workspaces/${workspaceId}/conversations/${conversationId}/messages`;
    for (let i = 1; i <= 55; i += 1) {
      expect(
        (await apiFromPage(page, 'POST', url, { content: `Update ${String(i)}` })).status,
      ).toBe(201);
    }
    await page.goto(`${h().server.url}${conversationPath}`);
    const items = page.getByRole('log', { name: 'Messages' }).getByRole('listitem');
    // 57 messages: the latest page of 50 shows, oldest of them first, newest last.
    await expect.poll(() => items.count()).toBe(50);
    expect(await items.last().textContent()).toContain('Update 55');
    expect(await items.first().textContent()).toContain('Update 6');
    expect(await count(page, FIRST_MESSAGE)).toBe(0);
    // By keyboard: Enter on the button; once the history is complete, focus moves to its start.
    await page.getByRole('button', { name: 'Load older messages' }).press('Enter');
    await expect.poll(() => items.count()).toBe(57);
    expect(await items.first().textContent()).toContain(FIRST_MESSAGE);
    expect(await page.getByRole('button', { name: 'Load older messages' }).count()).toBe(0);
    await expect
      .poll(() =>
        page
          .getByText('This is the start of the conversation.')
          .evaluate((el) => el === (globalThis as unknown as InPage).document.activeElement),
      )
      .toBe(true);
    expect(owner?.violations).toEqual([]);
  });

  it('the owner promotes the member to admin and removes the viewer; an admin cannot touch the owner', async () => {
    const page = ownerPage();
    await nav(page).getByRole('link', { name: 'Members' }).click();
    await page.getByRole('button', { name: `Manage ${MEMBER}` }).click();
    const roles = page.getByRole('form', { name: `Roles of ${MEMBER}` });
    await roles.getByLabel('Role').selectOption('admin');
    await roles.getByRole('button', { name: 'Save roles' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'admin', exact: true }).count()).toBe(1);
    await page.getByRole('button', { name: `Manage ${VIEWER}` }).click();
    await page.getByRole('button', { name: 'Remove member' }).click();
    await page.getByRole('button', { name: `Yes, remove ${VIEWER}` }).click();
    await expect.poll(() => page.getByRole('cell', { name: VIEWER, exact: true }).count()).toBe(0);

    const admin = await openPage(h().browser);
    await signIn(h(), admin.page, MEMBER);
    await nav(admin.page).getByRole('link', { name: 'Members' }).click();
    await admin.page.getByRole('button', { name: `Manage ${OWNER}` }).click();
    // The owner's role, named roles and membership are out of an admin's reach, on the page…
    await expect
      .poll(() => admin.page.getByText("only an owner can change an owner's role").count())
      .toBe(1);
    expect(await admin.page.getByRole('button', { name: 'Remove member' }).count()).toBe(0);
    expect(await admin.page.getByRole('checkbox').count()).toBe(0);
    // …and at the API, which refuses an admin granting a named role, even to themselves.
    const me = (await (await admin.page.request.get(`${h().server.url}/api/v1/me`)).json()) as {
      user: { id: string };
    };
    expect(
      await apiFromPage(
        admin.page,
        'PATCH',
        `/api/v1/workspaces/${workspaceId}/members/${me.user.id}`,
        {
          named_roles: ['founder'],
        },
      ),
    ).toEqual({ status: 403, code: 'forbidden' });
    expect(admin.violations).toEqual([]);
    await admin.context.close();
  });

  it('the workrooms list shows 50 and the next page on demand', async () => {
    const page = ownerPage();
    for (let i = 1; i <= 50; i += 1) {
      const res = await apiFromPage(page, 'POST', `/api/v1/workspaces/${workspaceId}/workrooms`, {
        name: `Room ${String(i)}`,
      });
      expect(res.status).toBe(201);
    }
    await nav(page).getByRole('link', { name: 'Workrooms' }).click();
    const rooms = page.getByRole('main').getByRole('listitem');
    await expect.poll(() => rooms.count()).toBe(50);
    expect(await page.getByRole('link', { name: 'Room 50', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Show more workrooms' }).press('Enter');
    await expect.poll(() => rooms.count()).toBe(51);
    expect(await page.getByRole('link', { name: 'Room 50', exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Show more workrooms' }).count()).toBe(0);
  });
});
