/**
 * A response cache for tests, as a server process would build it: on the
 * test app's database and keyring, its settings subscribed to every
 * process's changes, over the given store. Settings are changed through the
 * real HTTP routes; `until` polls for a condition (a NOTIFY arriving, a
 * Redis TTL running out) without asserting on how long it takes.
 */
import { expect } from 'vitest';
import {
  createResponseCache,
  type WorkspaceResponseCache,
} from '../../src/modules/gateway/cache/response-cache.js';
import {
  SettingsCache,
  subscribeCacheEvents,
} from '../../src/modules/gateway/cache/settings-cache.js';
import type { CacheStore } from '../../src/modules/gateway/cache/store.js';
import type { CachedResponse, CacheableRequest } from '../../src/modules/gateway/ports.js';
import type { TestApp, TestWorkspace } from '../support/app.js';
import { call } from '../support/http.js';

export interface LoggedWarning {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly message: string;
}

export async function testCache(
  t: TestApp,
  store: CacheStore,
  namespace?: string,
): Promise<{
  cache: WorkspaceResponseCache;
  warnings: LoggedWarning[];
  stop: () => Promise<void>;
}> {
  const settings = new SettingsCache();
  const stop = await subscribeCacheEvents(t.db, settings);
  const warnings: LoggedWarning[] = [];
  const cache = createResponseCache({
    db: t.db,
    keyring: t.keyring,
    store,
    settings,
    logger: { warn: (fields, message) => warnings.push({ fields, message }) },
    ...(namespace === undefined ? {} : { namespace }),
  });
  return { cache, warnings, stop };
}

/** Polls `check` until it holds (the deadline only stops a broken test from hanging). */
export async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never became true: ${what}`);
}

export const cacheUrl = (ws: TestWorkspace) => `/api/v1/workspaces/${ws.id}/llm/cache`;

/** Sets the cache's settings through the route, and waits until `cache` has heard of it. */
export async function configure(
  t: TestApp,
  cache: WorkspaceResponseCache,
  ws: TestWorkspace,
  settings: { enabled?: boolean; ttl_seconds?: number },
  probe: CacheableRequest,
): Promise<void> {
  const before = await cache.keyOf(ws.id, probe);
  const res = await call(t, 'PUT', cacheUrl(ws), { token: ws.ownerToken, payload: settings });
  expect(res.statusCode, res.body).toBe(200);
  if (settings.enabled === undefined) return;
  await until(
    async () => {
      const now = await cache.keyOf(ws.id, probe);
      return settings.enabled === true ? now !== null && now !== before : now === null;
    },
    `cache of ${ws.id} ${settings.enabled ? 'on' : 'off'}`,
  );
}

export const PROMPT = 'Summarize the quarterly plan for Project Marigold-7731';
export const COMPLETION = 'Marigold-7731 ships in three phases: scoping, pilot, rollout.';
export const MODEL = 'claude-sonnet-4-5';

export function request(prompt = PROMPT): CacheableRequest {
  return {
    operation: 'anthropic.messages',
    model: MODEL,
    body: { model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: prompt }] },
  };
}

export const jsonResponse: CachedResponse = {
  kind: 'json',
  status: 200,
  body: {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content: [{ type: 'text', text: COMPLETION }],
    usage: { input_tokens: 14, output_tokens: 16 },
  },
  usage: { inputTokens: 14, outputTokens: 16 },
};

export const streamResponse: CachedResponse = {
  kind: 'stream',
  status: 200,
  events: [
    { event: 'message_start', data: JSON.stringify({ type: 'message_start', model: MODEL }) },
    {
      event: 'content_block_delta',
      data: JSON.stringify({ type: 'content_block_delta', delta: { text: COMPLETION } }),
    },
    { event: undefined, data: '{"type":"message_stop"}' },
  ],
  usage: { inputTokens: 14, outputTokens: 16 },
};
