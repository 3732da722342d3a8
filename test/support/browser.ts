/**
 * What every browser test of the console shares: Debian's Chromium through
 * playwright-core (nothing downloaded), a Wardroom server from the sources
 * with its own embedded PostgreSQL, pages watched for CSP violations, the
 * axe-core check, screenshots in test-artifacts/, and signing in with the
 * code read from the server's outbox. The console itself is built once per
 * run by test/e2e/build-console.ts (the e2e lane's global setup).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { simpleParser } from 'mailparser';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { repoRoot, startWardroom, type WardroomProcess } from './wardroom-process.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(repoRoot, 'test-artifacts');

/**
 * The page's globals these tests touch. The project compiles without the DOM
 * library, so callbacks that run in the page cast `globalThis` to this.
 */
export interface InPage {
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

export interface ConsoleHarness {
  readonly server: WardroomProcess;
  readonly browser: Browser;
  readonly dataDir: string;
  /** Runs `wardroom <args>` from the sources against this server's data folder. */
  cli(args: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A browser test file's harness: started before its tests (with `env`, or
 * what `env()` answers then, for parts that another `beforeAll` registered
 * earlier has started), stopped after them. Answers the running harness.
 */
export function useConsoleHarness(
  env: Record<string, string> | (() => Record<string, string>) = {},
): () => ConsoleHarness {
  let harness: ConsoleHarness | undefined;
  beforeAll(async () => {
    harness = await startConsoleHarness(typeof env === 'function' ? env() : env);
  }, 180_000);
  afterAll(async () => {
    await harness?.stop();
  });
  return () => {
    if (harness === undefined) throw new Error('the harness did not start');
    return harness;
  };
}

/** A server on a fresh data folder (embedded PostgreSQL, outbox mail) and a headless Chromium. */
export async function startConsoleHarness(
  env: Record<string, string> = {},
): Promise<ConsoleHarness> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (see .ci/run)`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-browser-'));
  const server = await startWardroom({ WARDROOM_DATA_DIR: dataDir, ...env });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox.
    args: ['--no-sandbox'],
  });
  const cli = async (args: readonly string[]): Promise<string> => {
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', ...args],
        {
          cwd: repoRoot,
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: process.env['HOME'] ?? '/tmp',
            WARDROOM_DATA_DIR: dataDir,
            LOG_LEVEL: 'silent',
            ...env,
          },
        },
      );
      return stdout;
    } catch (error) {
      throw new Error(`wardroom ${args.join(' ')} failed: ${String(error)}`);
    }
  };
  return {
    server,
    browser,
    dataDir,
    cli,
    async stop() {
      await browser.close();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Watched {
  readonly page: Page;
  readonly context: BrowserContext;
  /** CSP violations, from the page's own event and from the console. */
  readonly violations: string[];
  /** Every script the page loaded: URL and gzip size. */
  readonly scripts: { url: string; gzip: number }[];
}

/** A new browser context (its own cookies: one person) at laptop width, watched. */
export async function openPage(browser: Browser): Promise<Watched> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
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
  return { page, context, violations, scripts };
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<unknown[]> {
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

/**
 * The page is done as a person would see it: a screenshot saved as
 * test-artifacts/<name>.png, no serious or critical axe violation, nothing
 * wider than the 1280px window.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
  const width = await page.evaluate(
    () => (globalThis as unknown as InPage).document.documentElement.scrollWidth,
  );
  expect(width, `page width of ${name}`).toBeLessThanOrEqual(1280);
}

/** The newest sign-in code emailed to `to`, read from the outbox's .eml files. */
export async function codeIn(outbox: string, to: string): Promise<string | undefined> {
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

/**
 * Signs `email` in through the console as a person would: the sign-in page,
 * the code from the outbox (waiting for a code newer than any already
 * there), and lands on the Workspaces page.
 */
export async function signIn(harness: ConsoleHarness, page: Page, email: string): Promise<void> {
  const outbox = path.join(harness.dataDir, 'outbox');
  const countBefore = await mailCount(outbox);
  await page.goto(`${harness.server.url}/`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a code' }).click();
  await expect.poll(() => page.getByLabel('Code').count()).toBe(1);
  let code: string | undefined;
  await expect
    .poll(
      async () => {
        if ((await mailCount(outbox)) === countBefore) return undefined;
        code = await codeIn(outbox, email);
        return code;
      },
      { timeout: 15_000 },
    )
    .toMatch(/^\d{6}$/);
  await page.getByLabel('Code').fill(code ?? '');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.getByRole('heading', { name: 'Workspaces' }).count()).toBe(1);
}

async function mailCount(outbox: string): Promise<number> {
  return (await readdir(outbox).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'))
    .length;
}
