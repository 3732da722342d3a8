/**
 * Asking an agent on the conversation page, in Chromium. The server (a real
 * process) sends its Anthropic calls to the fake upstream on loopback; the
 * owner adds the customer's key, an agent, a workroom and a conversation
 * through the API with the page's session, then asks the agent in the
 * console: the reply streams into the page (fetch + ReadableStream over the
 * same-origin CSP) and stays in the list as the agent's stored message. With
 * a tiny workspace budget set, the next question is refused and the page
 * says so in a sentence, and nothing reached the upstream. checkPage
 * (screenshot, axe) passes and no CSP rule is broken.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKey } from '../gateway/helpers.js';
import { checkPage, openPage, signIn, useConsoleHarness } from '../support/browser.js';
import {
  FAKE_TEXT,
  startFakeLlmUpstream,
  type FakeLlmUpstream,
} from '../support/fake-llm-upstream.js';

const OWNER = 'owner@agent-run.test';
const NAME = 'Agent Run Co';
const key = testKey();

let fake: FakeLlmUpstream | undefined;
const upstream = (): FakeLlmUpstream => {
  if (fake === undefined) throw new Error('the fake upstream did not start');
  return fake;
};

beforeAll(async () => {
  fake = await startFakeLlmUpstream(key);
});

afterAll(async () => {
  await fake?.close();
});

const h = useConsoleHarness(() => ({
  WARDROOM_ANTHROPIC_BASE_URL: upstream().anthropicBaseUrl,
  WARDROOM_OPENAI_BASE_URL: upstream().openaiBaseUrl,
  WARDROOM_LLM_MAX_ATTEMPTS: '1',
}));

/** A call to the API with the page's session (its CSRF token and Origin, like the console's). */
async function apiFromPage(page: Page, method: 'POST', url: string, body: object): Promise<string> {
  const base = h().server.url;
  const me = (await (await page.request.get(`${base}/api/v1/me`)).json()) as { csrf_token: string };
  const res = await page.request.fetch(`${base}${url}`, {
    method,
    data: body,
    headers: { 'x-csrf-token': me.csrf_token, origin: base },
  });
  const json = (await res.json()) as { id?: string };
  expect(res.status(), `${url}: ${JSON.stringify(json)}`).toBe(201);
  return json.id ?? '';
}

describe('asking an agent in Chromium', () => {
  let page: Page;
  let violations: string[] = [];
  let ws = '';
  let conversation = '';

  it('sets up a workspace with a key, an agent and a conversation', async () => {
    await h().cli([
      'workspace',
      'create',
      '--name',
      NAME,
      '--region',
      'us',
      '--owner-email',
      OWNER,
    ]);
    const watched = await openPage(h().browser);
    page = watched.page;
    violations = watched.violations;
    await signIn(h(), page, OWNER);
    const list = (await (await page.request.get(`${h().server.url}/api/v1/workspaces`)).json()) as {
      items: { workspace_id: string; workspace_name: string }[];
    };
    ws = list.items.find((w) => w.workspace_name === NAME)?.workspace_id ?? '';
    expect(ws).toMatch(/^[0-9a-f-]{36}$/);
    const base = `/api/v1/workspaces/${ws}`;
    await apiFromPage(page, 'POST', `${base}/credentials`, {
      kind: 'llm_api_key',
      provider: 'anthropic',
      label: 'Customer key',
      secret: { value: key },
    });
    await apiFromPage(page, 'POST', `${base}/agents`, {
      name: 'Board secretary',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      system_prompt: 'You keep the minutes.',
    });
    const room = await apiFromPage(page, 'POST', `${base}/workrooms`, { name: 'Board' });
    conversation = await apiFromPage(page, 'POST', `${base}/workrooms/${room}/conversations`, {
      title: 'March meeting',
    });
  });

  it('streams the agent’s reply into the page, then lists it as the agent’s message', async () => {
    await page.goto(`${h().server.url}/app/conversations/${conversation}`);
    await expect
      .poll(() => page.getByRole('heading', { level: 1, name: 'March meeting' }).count())
      .toBe(1);
    const form = page.getByRole('form', { name: 'Ask an agent' });
    await expect.poll(() => form.getByLabel('Agent').count()).toBe(1);
    await form.getByLabel('Question').fill('Summarize the March meeting.');
    await form.getByRole('button', { name: 'Ask' }).click();
    const log = page.getByRole('log', { name: 'Messages' });
    await expect.poll(() => log.getByText(FAKE_TEXT).count()).toBe(1);
    await expect.poll(() => log.getByText('Summarize the March meeting.').count()).toBe(1);
    expect(await log.getByText('Agent', { exact: true }).count()).toBe(1);
    // The stored reply survives a reload: it is the agent's message, not the stream's echo.
    await page.reload();
    await expect
      .poll(() => page.getByRole('log', { name: 'Messages' }).getByText(FAKE_TEXT).count())
      .toBe(1);
    await checkPage(page, 'conversation-agent-reply');
  });

  it('says so in a sentence when the budget refuses the run, and sends nothing upstream', async () => {
    await apiFromPage(page, 'POST', `/api/v1/workspaces/${ws}/llm/budgets`, {
      scope: 'workspace',
      period: 'day',
      hard_limit_micros: 1,
    });
    const before = upstream().requests.length;
    const form = page.getByRole('form', { name: 'Ask an agent' });
    await expect.poll(() => form.getByLabel('Agent').count()).toBe(1);
    await form.getByLabel('Question').fill('And the April one?');
    await form.getByRole('button', { name: 'Ask' }).click();
    await expect
      .poll(() => form.getByRole('alert').filter({ hasText: 'AI spending limit' }).count())
      .toBe(1);
    expect(upstream().requests.length).toBe(before);
    await checkPage(page, 'conversation-agent-budget-refused');
    expect(violations).toEqual([]);
  });
});
