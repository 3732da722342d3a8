/**
 * The web console and /docs as the server serves them: the console's page
 * at `/` and every `/app/*` route, its hashed assets cached for a year, a
 * strict CSP and nosniff on each, nothing outside the build folder, the
 * API's JSON 404 untouched, a clear answer when the console is not built,
 * and the API's documentation public.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../src/api/console.js';
import { buildServer } from '../../src/api/server.js';
import { createLogger } from '../../src/base/logger.js';
import { startTestApp, type TestApp } from '../support/app.js';

const INDEX = '<!doctype html><title>console fixture</title>';
let dir = '';
let t: TestApp;
let unbuilt: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-console-'));
  const build = path.join(dir, 'build');
  await mkdir(path.join(build, 'assets'), { recursive: true });
  await writeFile(path.join(build, 'index.html'), INDEX);
  await writeFile(path.join(build, 'assets', 'index-abc123.js'), 'console.log(1);');
  await writeFile(path.join(build, 'assets', '.hidden'), 'secret');
  // Beside the build, not in it: must never be served.
  await writeFile(path.join(dir, 'outside.txt'), 'outside');
  t = await startTestApp({ consoleDir: build });
  unbuilt = await startTestApp({ consoleDir: path.join(dir, 'missing') });
});
afterAll(async () => {
  await t.close();
  await unbuilt.close();
  await rm(dir, { recursive: true, force: true });
});

function expectHardened(res: { headers: Record<string, unknown> }) {
  expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
}

describe('the web console', () => {
  it('serves its page at / and at every client-side route under /app', async () => {
    for (const url of ['/', '/app', '/app/workspaces', '/app/a/b?x=1']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(INDEX);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expectHardened(res);
    }
  });

  it('has a CSP that allows no inline script and nothing from another origin', () => {
    const directives = new Map(
      CONSOLE_CSP.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
  });

  it('serves hashed assets for a year, and nothing else', async () => {
    const asset = await t.app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log(1);');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expectHardened(asset);
    for (const url of [
      '/assets/missing.js',
      '/assets/.hidden',
      '/assets/../../outside.txt',
      '/assets/%2e%2e/%2e%2e/outside.txt',
      '/assets/..%2f..%2foutside.txt',
      '/outside.txt',
      '/index.html',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body, url).not.toContain('outside');
      expect(res.body, url).not.toContain('secret');
    }
  });

  it('leaves the API alone: an unknown /api path is still the JSON 404', async () => {
    for (const url of ['/api/v1/nope', '/api/nope', '/apps']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ error: { code: 'not_found' } });
    }
    const post = await t.app.inject({ method: 'POST', url: '/app/workspaces', payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('lets no route under /api/ pass as static content, and still refuses undeclared routes', async () => {
    const app = await buildServer(
      { db: t.db, keyring: t.keyring },
      { bodyLimit: 1024, logger: createLogger('silent'), consoleDir: dir },
    );
    const staticContent = { config: { staticContent: true as const } };
    expect(() => app.get('/api/v1/sneaky', staticContent, () => 'x')).toThrow(/not static/);
    expect(() => app.get('/app-undeclared', () => 'x')).toThrow(/declares no access rule/);
    await app.close();
  });

  it('says how to build the console when it has not been built', async () => {
    for (const url of ['/', '/app/workspaces']) {
      const res = await unbuilt.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.body).toContain('npm run build');
    }
    const health = await unbuilt.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });
});

describe('the API documentation', () => {
  it('serves /docs and the OpenAPI document without a token', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger-ui');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe-inline/);
    const viaDocs = await t.app.inject({ method: 'GET', url: '/docs/json' });
    const direct = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(direct.statusCode).toBe(200);
    expect(direct.headers['cache-control']).toBe('no-store');
    expect(viaDocs.json()).toEqual(direct.json());
    const doc = direct.json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toContain('/api/v1/workspaces/{ws}/workrooms');
    expect(Object.keys(doc.paths)).toContain('/api/v1/openapi.json');
  });
});
