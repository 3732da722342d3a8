/**
 * The gateway pipeline called directly (as an agent run will), on the real
 * database and keyring, against the fake upstream: which key a call uses,
 * where it is routed, what it refuses before anything leaves, and the two
 * audit events of each call. No budget and no cache are wired: a workspace
 * with neither is a real configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/base/errors.js';
import {
  createGateway,
  type Gateway,
  type GatewayRequest,
} from '../../src/modules/gateway/index.js';
import { OFFLINE_NOTICE } from '../../src/modules/gateway/index.js';
import type { TestWorkspace } from '../support/app.js';
import { FAKE_TEXT, FAKE_USAGE } from '../support/fake-llm-upstream.js';
import { bodyFor, collect, models, thrown } from './helpers.js';
import {
  addKey,
  BLOCKED_REGION,
  llmEvents,
  revokeKey,
  startHarness,
  workspaceIn,
  type Harness,
} from './pipeline-harness.js';

let h: Harness;
let gateway: Gateway;

beforeAll(async () => {
  h = await startHarness({ timeoutMs: 500 });
  gateway = createGateway({ ...h.deps, db: h.t.db, keyring: h.t.keyring });
});
afterAll(() => h.close());

function request(
  ws: TestWorkspace,
  operation: GatewayRequest['operation'],
  extra: Partial<GatewayRequest> & { body?: Record<string, unknown> } = {},
): GatewayRequest {
  return {
    scope: { workspaceId: ws.id, userId: ws.ownerUserId, tokenId: null },
    operation,
    ...extra,
    body: { model: models[operation], ...bodyFor(operation), ...extra.body },
  };
}

function codeOf(error: unknown): string {
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).code;
}

describe('keys', () => {
  it("uses the workspace's key, audits intent then outcome under the call id, key id = credential id", async () => {
    const ws = await workspaceIn(h, 'us');
    const credentialId = await addKey(h, ws, 'anthropic', h.key);
    const before = h.fake.requests.length;
    const { callId, result } = await gateway.call(request(ws, 'anthropic.messages'));
    expect(result.kind).toBe('json');
    expect(JSON.stringify(result.kind === 'json' ? result.body : null)).toContain(FAKE_TEXT);
    expect(h.fake.requests.length).toBe(before + 1);
    expect(h.fake.problems).toEqual([]);
    const events = await closedEvents(ws.id);
    expect(events.map((e) => e.action)).toEqual(['llm.call.intent', 'llm.call.outcome']);
    expect(events.every((e) => e.correlation_id === callId)).toBe(true);
    const [intent, outcome] = events;
    expect(intent?.metadata).toMatchObject({
      op: 'anthropic.messages',
      model: models['anthropic.messages'],
      region: 'us',
      legal: 'us',
      endpoint_region: 'operator',
      key_id: credentialId,
      stream: false,
    });
    expect(outcome?.metadata).toMatchObject({
      outcome: 'ok',
      cache_hit: false,
      in_tokens: FAKE_USAGE.input,
      out_tokens: FAKE_USAGE.output,
    });
    expect(outcome?.metadata['cost']).toBeGreaterThan(0);
    expect(outcome?.metadata['intent_id']).toBeTypeOf('string');
  });

  it('uses the newest active key, or the one named; a revoked key is not used on the next call', async () => {
    const ws = await workspaceIn(h, 'us');
    const older = await addKey(h, ws, 'openai', h.key);
    const newer = await addKey(h, ws, 'openai', `sk-proj-${'x'.repeat(40)}`);
    // The newest is chosen: the fake refuses a key it does not expect.
    expect(codeOf(await thrown(gateway.call(request(ws, 'openai.chat_completions'))))).toBe(
      'llm_bad_request',
    );
    expect(h.fake.problems).toEqual(['/v1/chat/completions: Authorization is not Bearer <key>']);
    h.fake.problems.length = 0;
    const named = await gateway.call(
      request(ws, 'openai.chat_completions', { credentialId: older }),
    );
    expect(named.result.kind).toBe('json');
    await revokeKey(h, ws, newer);
    const next = await gateway.call(request(ws, 'openai.chat_completions'));
    expect(next.result.kind).toBe('json');
    await revokeKey(h, ws, older);
    // No key left and no platform key: the offline provider, and nothing is sent.
    const sent = h.fake.requests.length;
    const offline = await gateway.call(request(ws, 'openai.chat_completions'));
    expect(JSON.stringify(offline.result.kind === 'json' ? offline.result.body : '')).toContain(
      OFFLINE_NOTICE.slice(0, 20),
    );
    expect(h.fake.requests.length).toBe(sent);
    const lastIntent = (await closedEvents(ws.id))
      .filter((e) => e.action === 'llm.call.intent')
      .at(-1);
    expect(lastIntent?.metadata).toMatchObject({ key_id: 'offline', endpoint_region: 'offline' });
    // A named key that is revoked is refused, not replaced by another.
    expect(
      codeOf(
        await thrown(gateway.call(request(ws, 'openai.chat_completions', { credentialId: older }))),
      ),
    ).toBe('not_found');
  });

  it("falls back to the operator's platform key, audited as platform", async () => {
    const platform = createGateway({
      ...h.deps,
      db: h.t.db,
      keyring: h.t.keyring,
      platformKeys: { openai: { reveal: () => h.key } },
    });
    const ws = await workspaceIn(h, 'us');
    const { result } = await platform.call(request(ws, 'openai.embeddings'));
    expect(result.kind).toBe('json');
    await platform.idle();
    const events = await closedEvents(ws.id);
    expect(events.map((e) => e.metadata['key_id'])).toEqual(['platform', undefined]);
  });
});

describe('region routing', () => {
  it('refuses a provider the region allows no endpoint for, sends nothing, audits region and legal context', async () => {
    const ws = await workspaceIn(h, BLOCKED_REGION);
    await addKey(h, ws, 'anthropic', h.key);
    const sent = h.fake.requests.length;
    const error = await thrown(gateway.call(request(ws, 'anthropic.messages')));
    expect(codeOf(error)).toBe('llm_region_blocked');
    expect((error as AppError).status).toBe(403);
    expect(h.fake.requests.length).toBe(sent);
    const events = await closedEvents(ws.id);
    expect(events.map((e) => e.action)).toEqual(['llm.call.outcome']);
    expect(events[0]?.metadata).toMatchObject({
      outcome: 'refused',
      error_code: 'llm_region_blocked',
      region: BLOCKED_REGION,
      legal: 'bh-pdpl',
    });
  });

  it('records the legal context of an eu workspace (gdpr)', async () => {
    const ws = await workspaceIn(h, 'eu');
    await addKey(h, ws, 'openai', h.key);
    await gateway.call(request(ws, 'openai.responses'));
    const [intent] = await closedEvents(ws.id);
    expect(intent?.metadata).toMatchObject({ region: 'eu', legal: 'gdpr' });
  });
});

describe('bad input is refused before anything is opened or sent, with an outcome event', () => {
  let ws: TestWorkspace;
  beforeAll(async () => {
    ws = await workspaceIn(h, 'us');
    await addKey(h, ws, 'anthropic', h.key);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    [
      'an oversized prompt',
      { messages: [{ role: 'user', content: 'x'.repeat(70_000) }] },
      'llm_prompt_too_large',
    ],
    ['an unknown model', { model: 'claude-imaginary-9' }, 'llm_model_unpriced'],
    ['a missing model', { model: 42 }, 'llm_bad_request'],
    [
      'a malformed tool',
      { tools: [{ name: 'get weather!', input_schema: { type: 'object' } }] },
      'llm_tools_invalid',
    ],
    ['a tool without a schema', { tools: [{ name: 'lookup' }] }, 'llm_tools_invalid'],
    ['tools that are not a list', { tools: { name: 'lookup' } }, 'llm_tools_invalid'],
  ];
  it.each(cases)('%s', async (_name, body, code) => {
    const sent = h.fake.requests.length;
    const error = await thrown(gateway.call(request(ws, 'anthropic.messages', { body })));
    expect(codeOf(error)).toBe(code);
    expect(h.fake.requests.length).toBe(sent);
    const last = (await closedEvents(ws.id)).at(-1);
    expect(last?.action).toBe('llm.call.outcome');
    expect(last?.metadata).toMatchObject({ outcome: 'refused', error_code: code });
  });
});

describe('failures after sending', () => {
  let ws: TestWorkspace;
  beforeAll(async () => {
    ws = await workspaceIn(h, 'us');
    await addKey(h, ws, 'anthropic', h.key);
  });

  it('a hanging upstream times out (llm_timeout) with an error outcome', async () => {
    h.fake.script({ kind: 'hang' });
    const error = await thrown(gateway.call(request(ws, 'anthropic.messages')));
    expect(codeOf(error)).toBe('llm_timeout');
    const last = (await closedEvents(ws.id)).at(-1);
    expect(last?.metadata).toMatchObject({ outcome: 'error', error_code: 'llm_timeout' });
  });

  it('a stream is audited when it ends, with its usage', async () => {
    const { callId, result } = await gateway.call(
      request(ws, 'anthropic.messages', { body: { stream: true } }),
    );
    expect(result.kind).toBe('stream');
    if (result.kind !== 'stream') return;
    const before = await llmEvents(h, ws.id); // the stream is open: no waiting
    expect(before.filter((e) => e.correlation_id === callId).map((e) => e.action)).toEqual([
      'llm.call.intent',
    ]);
    const events = await collect(result);
    expect(events.at(-1)?.event).toBe('message_stop');
    const outcome = (await closedEvents(ws.id)).find(
      (e) => e.correlation_id === callId && e.action === 'llm.call.outcome',
    );
    expect(outcome?.metadata).toMatchObject({
      outcome: 'ok',
      out_tokens: FAKE_USAGE.output,
      in_tokens: FAKE_USAGE.input,
    });
  });

  it('a stream the caller abandons closes the upstream and is audited as cancelled', async () => {
    h.fake.script({ kind: 'stall-mid-stream' });
    const closed = h.fake.clientClosed();
    const { callId, result } = await gateway.call(
      request(ws, 'anthropic.messages', { body: { stream: true } }),
    );
    if (result.kind !== 'stream') throw new Error('expected a stream');
    for await (const event of result.events) {
      expect(event.event).toBe('message_start');
      break;
    }
    await closed;
    const outcome = (await closedEvents(ws.id)).find(
      (e) => e.correlation_id === callId && e.action === 'llm.call.outcome',
    );
    expect(outcome?.metadata).toMatchObject({ outcome: 'cancelled', error_code: 'llm_cancelled' });
  });

  it("the caller's abort stops the upstream call and is audited as cancelled", async () => {
    h.fake.script({ kind: 'hang' });
    const closed = h.fake.clientClosed();
    const controller = new AbortController();
    const sent = h.fake.requests.length;
    const pending = gateway.call(request(ws, 'anthropic.messages', { signal: controller.signal }));
    // Abort once the fake holds the request.
    await until(() => h.fake.requests.length > sent);
    controller.abort(new Error('client gone'));
    expect(codeOf(await thrown(pending))).toBe('llm_cancelled');
    await closed;
    const last = (await closedEvents(ws.id)).at(-1);
    expect(last?.metadata).toMatchObject({ outcome: 'cancelled' });
  });
});

/** Waits (yielding to the event loop) until `ready()`; no time bound is asserted. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** The workspace's llm.call events once every call so far has closed (its outcome follows the answer). */
async function closedEvents(wsId: string) {
  await gateway.idle();
  return llmEvents(h, wsId);
}
