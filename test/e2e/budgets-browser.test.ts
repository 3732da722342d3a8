/**
 * Budgets and key usage in Chromium. The server's LLM upstreams are two
 * fake providers on loopback (test/support/fake-llm-upstream.ts): the
 * operator's platform Anthropic key goes to one, the workspace's own (BYOK)
 * OpenAI key to the other; the operator prices a made-up model at $1 a
 * token so one call trips the velocity tripwire.
 *
 * An owner (workspace made with the CLI) opens Budgets from the navigation:
 * empty state; adds a workspace budget and a member budget in dollars (the
 * API holds exact micro-dollars); a soft limit above the hard one and a
 * second monthly workspace budget get sentences and change nothing; changes
 * the member budget's limit, deletes it; adds an API token's budget (a bad
 * token id refused first) and deletes it; sets the per-minute limits (empty =
 * none). Real gateway calls with an API token then spend: the pricey call
 * suspends the platform key (the next call is refused 403
 * llm_key_suspended); an admin sees the suspension without a Resume button
 * (and the API refuses their resume); the owner resumes it and calls work
 * again. The LLM keys page shows each key's calls, tokens and cost this
 * month, BYOK apart from platform. A member sees no Budgets link, is refused
 * the page and gets 403 from the budgets and usage APIs. Every page passes
 * checkPage (screenshot, axe, 1280px) and the CSP holds.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkPage,
  openPage,
  signIn,
  startConsoleHarness,
  type ConsoleHarness,
  type Watched,
} from '../support/browser.js';
import { startFakeLlmUpstream, type FakeLlmUpstream } from '../support/fake-llm-upstream.js';

const OWNER = 'owner@budgets.test';
const ADMIN = 'admin@budgets.test';
const MEMBER = 'member@budgets.test';
const NAME = 'Budgets Browser Co';
const PLATFORM_KEY = `sk-ant-api03-${randomBytes(20).toString('hex')}`;
const BYOK_KEY = `sk-proj-${randomBytes(20).toString('hex')}`;
/** About $1 a token in and out: one call through the fake (11 + 7 tokens) costs about $18, past the $5 floor. */
const PRICEY = 'claude-pricey-test';

let harness: ConsoleHarness | undefined;
let platform: FakeLlmUpstream | undefined;
let byok: FakeLlmUpstream | undefined;
const h = (): ConsoleHarness => {
  if (harness === undefined) throw new Error('the harness did not start');
  return harness;
};

beforeAll(async () => {
  platform = await startFakeLlmUpstream(PLATFORM_KEY);
  byok = await startFakeLlmUpstream(BYOK_KEY);
  harness = await startConsoleHarness({
    WARDROOM_ANTHROPIC_API_KEY: PLATFORM_KEY,
    WARDROOM_ANTHROPIC_BASE_URL: platform.anthropicBaseUrl,
    WARDROOM_OPENAI_BASE_URL: byok.openaiBaseUrl,
    WARDROOM_LLM_MAX_ATTEMPTS: '1',
    WARDROOM_LLM_PRICES: JSON.stringify({
      [`anthropic:${PRICEY}`]: { input: '999999', output: '999999', maxOutputTokens: 64 },
    }),
  });
}, 180_000);

afterAll(async () => {
  await harness?.stop();
  await platform?.close();
  await byok?.close();
});

interface Budget {
  id: string;
  scope: string;
  user_id: string | null;
  token_id: string | null;
  period: string;
  hard_limit_micros: number;
  soft_limit_micros: number | null;
  spent_micros: number;
}

/** A changing API call with the page's session: its CSRF token and Origin, like the console's. */
async function send(
  page: Page,
  method: 'POST' | 'PUT',
  url: string,
  body: object,
): Promise<{ status: number; json: unknown }> {
  const base = h().server.url;
  const me = (await (await page.request.get(`${base}/api/v1/me`)).json()) as { csrf_token: string };
  const res = await page.request.fetch(`${base}${url}`, {
    method,
    data: body,
    headers: { 'x-csrf-token': me.csrf_token, origin: base },
  });
  return { status: res.status(), json: await res.json().catch(() => undefined) };
}

async function getJson(page: Page, url: string): Promise<{ status: number; json: unknown }> {
  const res = await page.request.get(`${h().server.url}${url}`);
  return { status: res.status(), json: await res.json() };
}

async function visit(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await expect.poll(() => page.getByRole('heading', { level: 1, name: heading }).count()).toBe(1);
}

describe('the Budgets page and key usage in Chromium', () => {
  let owner: Watched;
  let page: Page;
  let ws = '';
  let token = '';
  let tokenId = '';
  let memberId = '';
  const others: Watched[] = [];

  const budgets = async (): Promise<Budget[]> =>
    ((await getJson(page, `/api/v1/workspaces/${ws}/llm/budgets`)).json as { items: Budget[] })
      .items;

  /** One call through the gateway with the owner's API token. */
  async function llmCall(kind: 'anthropic' | 'openai', model: string): Promise<number> {
    const path = kind === 'anthropic' ? '/llm/v1/messages' : '/llm/v1/chat/completions';
    const body =
      kind === 'anthropic'
        ? { model, max_tokens: 16, messages: [{ role: 'user', content: 'Hello' }] }
        : { model, max_completion_tokens: 16, messages: [{ role: 'user', content: 'Hello' }] };
    const res = await fetch(`${h().server.url}/api/v1/workspaces/${ws}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    await closed();
    return res.status;
  }

  /** Waits until no call holds a reservation: each call settles just after its answer. */
  async function closed(): Promise<void> {
    await expect
      .poll(async () => {
        const res = await fetch(`${h().server.url}/api/v1/workspaces/${ws}/llm/usage`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const usage = (await res.json()) as { keys: { reserved_micros: number }[] };
        return usage.keys.every((k) => k.reserved_micros === 0);
      })
      .toBe(true);
  }

  it('signs the owner in, with a member, an admin and an API token', async () => {
    await h().cli(['workspace', 'create', '--name', NAME, '--owner-email', OWNER]);
    owner = await openPage(h().browser);
    page = owner.page;
    await signIn(h(), page, OWNER);
    const list = (await getJson(page, '/api/v1/workspaces')).json as {
      items: { workspace_id: string; workspace_name: string }[];
    };
    ws = list.items.find((w) => w.workspace_name === NAME)?.workspace_id ?? '';
    expect(ws).toMatch(/^[0-9a-f-]{36}$/);
    const member = await send(page, 'POST', `/api/v1/workspaces/${ws}/members`, {
      email: MEMBER,
      role: 'member',
      display_name: 'Mia Member',
    });
    expect(member.status).toBe(201);
    memberId = (member.json as { user_id: string }).user_id;
    const admin = await send(page, 'POST', `/api/v1/workspaces/${ws}/members`, {
      email: ADMIN,
      role: 'admin',
    });
    expect(admin.status).toBe(201);
    const created = await send(page, 'POST', `/api/v1/workspaces/${ws}/tokens`, { name: 'ci' });
    expect(created.status).toBe(201);
    token = (created.json as { token: string }).token;
    tokenId = (created.json as { id: string }).id;
    const key = await send(page, 'POST', `/api/v1/workspaces/${ws}/credentials`, {
      kind: 'llm_api_key',
      provider: 'openai',
      label: 'Our OpenAI key',
      secret: { value: BYOK_KEY },
    });
    expect(key.status).toBe(201);
  }, 120_000);

  it('adds, changes and deletes budgets in dollars, refusing what is not right', async () => {
    await visit(page, 'Budgets', 'Budgets');
    await expect.poll(() => page.getByText('No budgets yet').count()).toBe(1);
    await expect.poll(() => page.getByText('No key is suspended.').count()).toBe(1);
    await checkPage(page, 'budgets-empty');

    // The whole workspace, monthly: $250 hard, $200.10 soft.
    await page.getByLabel('Applies to').selectOption('workspace');
    await page.getByLabel('Period').selectOption('month');
    await page.getByLabel('Hard limit (USD)').fill('250');
    await page.getByLabel('Soft limit (USD, optional)').fill('200.10');
    await page.getByRole('button', { name: 'Add budget' }).click();
    await expect
      .poll(() => page.getByRole('cell', { name: 'The whole workspace', exact: true }).count())
      .toBe(1);
    expect(await page.getByRole('cell', { name: '$250.00', exact: true }).count()).toBe(1);
    expect(await page.getByRole('cell', { name: '$200.10', exact: true }).count()).toBe(1);

    // A soft limit above the hard one: refused in the form, nothing sent.
    await page.getByLabel('Applies to').selectOption('member');
    await page
      .getByLabel('Member', { exact: true })
      .selectOption({ label: `Mia Member (${MEMBER})` });
    await page.getByLabel('Period').selectOption('day');
    await page.getByLabel('Hard limit (USD)').fill('10.50');
    await page.getByLabel('Soft limit (USD, optional)').fill('11');
    await page.getByRole('button', { name: 'Add budget' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'at most the hard limit' }).count())
      .toBe(1);
    // Not an amount.
    await page.getByLabel('Soft limit (USD, optional)').fill('');
    await page.getByLabel('Hard limit (USD)').fill('ten dollars');
    await page.getByRole('button', { name: 'Add budget' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'Enter the hard limit' }).count())
      .toBe(1);
    expect((await budgets()).length).toBe(1);

    await page.getByLabel('Hard limit (USD)').fill('10.50');
    await page.getByRole('button', { name: 'Add budget' }).click();
    const memberCell = `Member: Mia Member (${MEMBER})`;
    await expect
      .poll(() => page.getByRole('cell', { name: memberCell, exact: true }).count())
      .toBe(1);
    const made = await budgets();
    expect(made.map((b) => [b.scope, b.period, b.hard_limit_micros, b.soft_limit_micros])).toEqual(
      expect.arrayContaining([
        ['workspace', 'month', 250_000_000, 200_100_000],
        ['member', 'day', 10_500_000, null],
      ]),
    );
    expect(made.find((b) => b.scope === 'member')?.user_id).toBe(memberId);

    // A second monthly workspace budget: the server's conflict, as a sentence.
    await page.getByLabel('Applies to').selectOption('workspace');
    await page.getByLabel('Period').selectOption('month');
    await page.getByLabel('Hard limit (USD)').fill('5');
    await page.getByRole('button', { name: 'Add budget' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'already a budget' }).count())
      .toBe(1);
    expect((await budgets()).length).toBe(2);

    // Change the member budget's limits: exact cents, no float drift.
    const memberRow = `${memberCell}, daily (utc day)`;
    await page.getByRole('button', { name: `Change limits of ${memberRow}` }).click();
    const form = page.getByRole('form', { name: /Change the limits of Member/ });
    expect(await form.getByLabel('Hard limit (USD)').inputValue()).toBe('10.5');
    await form.getByLabel('Hard limit (USD)').fill('12.29');
    await form.getByLabel('Soft limit (USD, optional)').fill('0.1');
    await form.getByRole('button', { name: 'Save limits' }).click();
    await expect
      .poll(() => page.getByRole('cell', { name: '$12.29', exact: true }).count())
      .toBe(1);
    const changed = (await budgets()).find((b) => b.scope === 'member');
    expect(changed).toMatchObject({ hard_limit_micros: 12_290_000, soft_limit_micros: 100_000 });
    await checkPage(page, 'budgets-two');

    await page.getByRole('button', { name: `Delete ${memberRow}` }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await expect
      .poll(() => page.getByRole('cell', { name: memberCell, exact: true }).count())
      .toBe(0);
    expect((await budgets()).map((b) => b.scope)).toEqual(['workspace']);

    // An API token's budget: the owner's own token, picked by name; a bad id is refused first.
    await page.getByLabel('Applies to').selectOption('token');
    await page.getByLabel('API token', { exact: true }).selectOption('other');
    await page.getByLabel('Token id').fill('not-a-token');
    await page.getByLabel('Hard limit (USD)').fill('5');
    await page.getByRole('button', { name: 'Add budget' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'Choose an API token' }).count())
      .toBe(1);
    await page.getByLabel('API token', { exact: true }).selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Add budget' }).click();
    await expect
      .poll(() => page.getByRole('cell', { name: 'API token: ci', exact: true }).count())
      .toBe(1);
    const tokenBudget = (await budgets()).find((b) => b.scope === 'token');
    expect(tokenBudget).toMatchObject({ period: 'month', hard_limit_micros: 5_000_000 });
    expect(tokenBudget?.token_id).toBe(tokenId);
    await page.getByRole('button', { name: 'Delete API token: ci, monthly (utc month)' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await expect
      .poll(() => page.getByRole('cell', { name: 'API token: ci', exact: true }).count())
      .toBe(0);
    expect((await budgets()).map((b) => b.scope)).toEqual(['workspace']);

    // Rate limits: 600 requests a minute, tokens unlimited; then a bad number.
    await page.getByLabel('Requests per minute').fill('600');
    await page.getByLabel('Tokens per minute').fill('');
    await page.getByRole('button', { name: 'Save rate limits' }).click();
    await expect.poll(() => page.getByText('Limits saved.').count()).toBe(1);
    expect((await getJson(page, `/api/v1/workspaces/${ws}/llm/limits`)).json).toEqual({
      requests_per_minute: 600,
      tokens_per_minute: null,
    });
    await page.getByLabel('Tokens per minute').fill('1.5');
    await page.getByRole('button', { name: 'Save rate limits' }).click();
    await expect
      .poll(() =>
        page.getByRole('alert').filter({ hasText: 'Requests per minute is a whole' }).count(),
      )
      .toBe(1);
    expect((await getJson(page, `/api/v1/workspaces/${ws}/llm/limits`)).json).toEqual({
      requests_per_minute: 600,
      tokens_per_minute: null,
    });
    await page.getByLabel('Tokens per minute').fill('');
  }, 90_000);

  it('shows a key the tripwire suspended; an admin only sees it, the owner resumes it', async () => {
    expect(await llmCall('openai', 'gpt-4o-mini')).toBe(200);
    expect(await llmCall('anthropic', 'claude-haiku-4-5')).toBe(200);
    // $18 in one call on the platform key, with no history: past the $5 floor.
    expect(await llmCall('anthropic', PRICEY)).toBe(200);
    expect(await llmCall('anthropic', 'claude-haiku-4-5')).toBe(403);
    expect(platform?.problems).toEqual([]);
    expect(byok?.problems).toEqual([]);

    // The admin: the suspension, no Resume button, and the API refuses theirs.
    const admin = await openPage(h().browser);
    others.push(admin);
    await signIn(h(), admin.page, ADMIN);
    await visit(admin.page, 'Budgets', 'Budgets');
    await expect
      .poll(() => admin.page.getByRole('cell', { name: 'Platform key (anthropic)' }).count())
      .toBe(1);
    expect(await admin.page.getByText('Only an owner can resume a suspended key.').count()).toBe(1);
    expect(await admin.page.getByRole('button', { name: /^Resume/ }).count()).toBe(0);
    const live = (await getJson(admin.page, `/api/v1/workspaces/${ws}/llm/suspensions`)).json as {
      items: { id: string }[];
    };
    expect(live.items.length).toBe(1);
    const refused = await send(
      admin.page,
      'POST',
      `/api/v1/workspaces/${ws}/llm/suspensions/${live.items[0]?.id ?? ''}/resume`,
      {},
    );
    expect(refused.status).toBe(403);
    await checkPage(admin.page, 'budgets-admin-suspended');

    // The owner: the workspace budget counts the spend; Resume.
    await page.reload();
    await expect
      .poll(() => page.getByRole('button', { name: 'Resume Platform key (anthropic)' }).count())
      .toBe(1);
    const spent = (await budgets())[0]?.spent_micros ?? 0;
    expect(spent).toBeGreaterThanOrEqual(17_000_000);
    await checkPage(page, 'budgets-suspended');
    await page.getByRole('button', { name: 'Resume Platform key (anthropic)' }).click();
    await expect.poll(() => page.getByText('No key is suspended.').count()).toBe(1);
    expect(await llmCall('anthropic', 'claude-haiku-4-5')).toBe(200);
  }, 90_000);

  it("shows each key's usage this month on the LLM keys page, BYOK apart from platform", async () => {
    await visit(page, 'LLM keys and credentials', 'LLM keys and credentials');
    await expect
      .poll(() => page.getByRole('heading', { level: 2, name: 'Usage this month' }).count())
      .toBe(1);
    const byokTable = page.getByRole('table', { name: 'Your own keys (BYOK): usage this month' });
    const platformTable = page.getByRole('table', { name: 'Platform keys: usage this month' });
    await expect.poll(() => byokTable.count()).toBe(1);
    const byokCells = await byokTable.locator('tbody tr td').allTextContents();
    // One call: the fake answers 11 tokens in and 7 out.
    expect(byokCells.slice(0, 5)).toEqual([
      'Our OpenAI key (your own key)',
      'openai',
      '1',
      '11',
      '7',
    ]);
    const platformCells = await platformTable.locator('tbody tr td').allTextContents();
    expect(platformCells.slice(0, 5)).toEqual([
      'Platform key (anthropic)',
      'anthropic',
      '3',
      '33',
      '21',
    ]);
    const usage = (await getJson(page, `/api/v1/workspaces/${ws}/llm/usage`)).json as {
      byok_cost_micros: number;
      platform_cost_micros: number;
    };
    expect(platformCells[5]).toBe(
      `$${(usage.platform_cost_micros / 1_000_000).toFixed(6).replace(/0{1,4}$/, '')}`,
    );
    expect(usage.platform_cost_micros).toBeGreaterThanOrEqual(17_000_000);
    expect(usage.byok_cost_micros).toBeGreaterThan(0);
    expect(
      await page.getByText('They are not on Wardroom’s invoice', { exact: false }).count(),
    ).toBe(0);
    expect(
      await page.getByText("They are not on Wardroom's invoice", { exact: false }).count(),
    ).toBe(1);
    await checkPage(page, 'llm-keys-usage');
  }, 60_000);

  it('keeps a member out of the page; the API refuses them too', async () => {
    const base = h().server.url;
    const member = await openPage(h().browser);
    others.push(member);
    await signIn(h(), member.page, MEMBER);
    const nav = member.page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Workspaces' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Budgets' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'LLM keys and credentials' }).count()).toBe(0);
    await member.page.goto(`${base}/app/budgets`);
    await expect
      .poll(() => member.page.getByText('This page needs the admin role or above').count())
      .toBe(1);
    for (const url of ['budgets', 'usage', 'limits', 'suspensions']) {
      const res = await member.page.request.get(`${base}/api/v1/workspaces/${ws}/llm/${url}`);
      expect(res.status(), url).toBe(403);
    }
    const create = await send(member.page, 'POST', `/api/v1/workspaces/${ws}/llm/budgets`, {
      scope: 'workspace',
      period: 'day',
      hard_limit_micros: 1,
    });
    expect(create.status).toBe(403);
    expect((await budgets()).length).toBe(1);
    for (const w of [owner, ...others]) expect(w.violations).toEqual([]);
    for (const w of others) await w.context.close();
  }, 60_000);
});
