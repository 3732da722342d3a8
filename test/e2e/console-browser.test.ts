/**
 * The web console in a real browser (Debian's Chromium, driven by
 * playwright-core; nothing downloaded): the server from the sources with
 * the console freshly built, its own embedded PostgreSQL on a free port.
 * The sign-in page appears, is accessible (axe-core: no serious or critical
 * violation), usable by keyboard, fits 1280px, and breaks no rule of its
 * strict CSP; /docs renders; the JavaScript the sign-in page loads stays
 * under 200 KB gzip. Screenshots go to test-artifacts/ (gitignored).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { simpleParser } from 'mailparser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startWardroom, type WardroomProcess } from '../support/wardroom-process.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(repoRoot, 'test-artifacts');
/** The budget for the sign-in page's JavaScript, gzip. */
const JS_BUDGET_BYTES = 200 * 1024;

let dataDir = '';
let server: WardroomProcess | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (see .ci/run)`);
  }
  // The server serves dist/console: build it from the sources under test.
  const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'],
    // Vitest sets NODE_ENV=test, which would bundle React's development build.
    { cwd: repoRoot, env: { ...process.env, NODE_ENV: 'production' } },
  );
  await mkdir(ARTIFACTS, { recursive: true });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-browser-'));
  server = await startWardroom({ WARDROOM_DATA_DIR: dataDir });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox.
    args: ['--no-sandbox'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
});

/**
 * The page's globals these tests touch. The project compiles without the DOM
 * library, so callbacks that run in the page cast `globalThis` to this.
 */
interface InPage {
  readonly document: {
    readonly activeElement: unknown;
    readonly documentElement: { readonly scrollWidth: number };
    readonly addEventListener: (
      type: 'securitypolicyviolation',
      listener: (e: { violatedDirective: string; blockedURI: string }) => void,
    ) => void;
  };
  readonly reportViolation: (violation: string) => void;
  readonly axe: { readonly run: () => Promise<{ violations: unknown[] }> };
}

interface Watched {
  readonly page: Page;
  /** CSP violations, from the page's own event and from the console. */
  readonly violations: string[];
  /** Every script the page loaded: URL and gzip size. */
  readonly scripts: { url: string; gzip: number }[];
}

async function openPage(): Promise<Watched> {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const violations: string[] = [];
  const scripts: { url: string; gzip: number }[] = [];
  await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    const page = globalThis as unknown as InPage;
    page.document.addEventListener('securitypolicyviolation', (e) => {
      page.reportViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('response', (res) => {
    if (res.request().resourceType() !== 'script') return;
    void res.body().then((body) => scripts.push({ url: res.url(), gzip: gzipSync(body).length }));
  });
  return { page, violations, scripts };
}

async function seriousAxeViolations(page: Page): Promise<unknown[]> {
  const require = createRequire(import.meta.url);
  const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(source);
  const violations = await page.evaluate(
    async () => (await (globalThis as unknown as InPage).axe.run()).violations,
  );
  return (violations as { impact: string; id: string; nodes: { target: unknown }[] }[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target) }));
}

describe('the web console in Chromium', () => {
  it('shows an accessible sign-in page under a strict CSP, within the JavaScript budget', async () => {
    const { page, violations, scripts } = await openPage();
    const res = await page.goto(`${server!.url}/`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res?.headers()['x-content-type-options']).toBe('nosniff');

    await expect
      .poll(() => page.getByRole('heading', { name: 'Sign in to Wardroom' }).count())
      .toBe(1);
    const email = page.getByLabel('Email address');
    expect(await email.count()).toBe(1);
    // Keyboard: the first Tab reaches the email field, the next the button.
    await page.keyboard.press('Tab');
    expect(
      await email.evaluate((el) => el === (globalThis as unknown as InPage).document.activeElement),
    ).toBe(true);
    await page.keyboard.press('Tab');
    expect(
      await page
        .getByRole('button', { name: 'Email me a code' })
        .evaluate((el) => el === (globalThis as unknown as InPage).document.activeElement),
    ).toBe(true);
    // Nothing wider than the 1280px window.
    expect(
      await page.evaluate(
        () => (globalThis as unknown as InPage).document.documentElement.scrollWidth,
      ),
    ).toBeLessThanOrEqual(1280);

    await page.screenshot({ path: path.join(ARTIFACTS, 'sign-in.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.waitForLoadState('networkidle');
    expect(scripts.length).toBeGreaterThan(0);
    const total = scripts.reduce((sum, s) => sum + s.gzip, 0);
    const line = `sign-in page JavaScript: ${scripts.length} file(s), ${(total / 1024).toFixed(1)} KB gzip (budget ${JS_BUDGET_BYTES / 1024} KB)`;
    console.log(line);
    await writeFile(path.join(ARTIFACTS, 'bundle-size.txt'), `${line}\n`);
    expect(total).toBeLessThan(JS_BUDGET_BYTES);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('serves a client-side route as the same app', async () => {
    const { page, violations } = await openPage();
    const res = await page.goto(`${server!.url}/app/workspaces`);
    expect(res?.status()).toBe(200);
    // Signed out, any console route shows the sign-in page.
    await expect
      .poll(() => page.getByRole('heading', { name: 'Sign in to Wardroom' }).count())
      .toBe(1);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('signs a person in with the code from their email, lists their workspace, and signs out', async () => {
    const email = 'owner@browser.test';
    await promisify(execFile)(
      process.execPath,
      [
        ...['--import', 'tsx', 'src/cli/main.ts', 'workspace', 'create'],
        ...['--name', 'Browser Co', '--owner-email', email],
      ],
      {
        cwd: repoRoot,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: process.env['HOME'] ?? '/tmp',
          WARDROOM_DATA_DIR: dataDir,
          LOG_LEVEL: 'silent',
        },
      },
    ).catch((error: unknown) => {
      throw new Error(`workspace create failed: ${String(error)}`);
    });
    const { page, violations } = await openPage();
    await page.goto(`${server!.url}/`);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect.poll(() => page.getByLabel('Code').count()).toBe(1);

    // Without SMTP the server writes each email to <data dir>/outbox/ as an .eml file.
    const outbox = path.join(dataDir, 'outbox');
    let code: string | undefined;
    await expect
      .poll(async () => (code = await codeIn(outbox, email)), { timeout: 15_000 })
      .toMatch(/^\d{6}$/);
    await page.getByLabel('Code').fill(code ?? '');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Workspaces' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('cell', { name: 'Browser Co' }).count()).toBe(1);
    expect(await page.locator('header').textContent()).toContain(`Signed in as ${email}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'workspaces.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Signing out sends the CSRF token; the session is gone for the API too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Sign in to Wardroom' }).count())
      .toBe(1);
    expect((await page.request.get(`${server!.url}/api/v1/me`)).status()).toBe(401);
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('renders the API documentation at /docs', async () => {
    const { page, violations } = await openPage();
    const res = await page.goto(`${server!.url}/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
    await expect
      .poll(() => page.locator('.swagger-ui .info .title').textContent())
      .toMatch(/Wardroom API/);
    await expect
      .poll(() => page.locator('.swagger-ui .opblock-summary-path').count())
      .toBeGreaterThan(5);
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs.png'), fullPage: true });
    expect(violations).toEqual([]);
    await page.context().close();
  });
});

/** The newest sign-in code emailed to `to`, read from the outbox's .eml files. */
async function codeIn(outbox: string, to: string): Promise<string | undefined> {
  const files = (await readdir(outbox).catch(() => [] as string[])).filter((f) =>
    f.endsWith('.eml'),
  );
  let found: string | undefined;
  for (const file of files.sort()) {
    const mail = await simpleParser(await readFile(path.join(outbox, file)));
    const recipients = [mail.to].flat().flatMap((a) => a?.value ?? []);
    if (!recipients.some((a) => a.address === to)) continue;
    found = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1] ?? found;
  }
  return found;
}
