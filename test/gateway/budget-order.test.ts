/**
 * Where the pipeline calls a budget guard, proved with a tiny guard on an
 * in-memory counter (the real BudgetGuard is the budgets module's, wired at
 * merge; this one exists only to observe the order): the reservation is
 * taken before the upstream sees the request, settled after a success, and
 * released on every failure path, including a hanging upstream and a
 * client abort, each leaving an outcome event. Also: a key replaced or
 * revoked through one server is what another server's gateway uses on its
 * next call (two apps, each with its own pool, on one database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/base/errors.js';
import {
  createGateway,
  type BudgetGuard,
  type Gateway,
  type GatewayRequest,
} from '../../src/modules/gateway/index.js';
import { startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { bodyFor, models, thrown } from './helpers.js';
import {
  addKey,
  llmEvents,
  revokeKey,
  startHarness,
  workspaceIn,
  type Harness,
} from './pipeline-harness.js';

/** What the guard saw, in order, with the upstream's request count at each step. */
const seen: string[] = [];
let h: Harness;

const guard: BudgetGuard = {
  reserve(_tx, _scope, request) {
    seen.push(
      `reserve ${request.worstCaseMicros > 0n ? 'priced' : 'free'} @${h.fake.requests.length}`,
    );
    let closed = false;
    return Promise.resolve({
      id: request.callId,
      settle(_tx, actual) {
        if (!closed)
          seen.push(
            `settle ${actual.costMicros > 0n ? 'paid' : 'zero'} @${h.fake.requests.length}`,
          );
        closed = true;
        return Promise.resolve(() => undefined);
      },
      release() {
        if (!closed) seen.push(`release @${h.fake.requests.length}`);
        closed = true;
        return Promise.resolve();
      },
      abandon() {
        seen.push('abandon');
        return Promise.resolve();
      },
    });
  },
};

let gateway: Gateway;
let ws: TestWorkspace;

beforeAll(async () => {
  h = await startHarness({ timeoutMs: 500 });
  gateway = createGateway({ ...h.deps, budget: guard, db: h.t.db, keyring: h.t.keyring });
  ws = await workspaceIn(h, 'us');
  await addKey(h, ws, 'anthropic', h.key);
});
afterAll(() => h.close());

function call(extra: Partial<GatewayRequest> & { body?: Record<string, unknown> } = {}) {
  return gateway.call({
    scope: { workspaceId: ws.id, userId: ws.ownerUserId, tokenId: null },
    operation: 'anthropic.messages',
    ...extra,
    body: { model: models['anthropic.messages'], ...bodyFor('anthropic.messages'), ...extra.body },
  });
}

describe('the budget guard is called at the right points', () => {
  it('reserves before the upstream call and settles after it', async () => {
    seen.length = 0;
    const n = h.fake.requests.length;
    await call();
    await gateway.idle();
    expect(seen).toEqual([`reserve priced @${n}`, `settle paid @${n + 1}`]);
  });

  it('releases when the upstream fails, hangs, or the client aborts; refused input reserves nothing', async () => {
    seen.length = 0;
    let n = h.fake.requests.length;
    h.fake.script({ kind: 'status', status: 500 });
    expect(((await thrown(call())) as AppError).code).toBe('llm_upstream_error');
    await gateway.idle();
    expect(seen).toEqual([`reserve priced @${n}`, `release @${n + 1}`]);

    seen.length = 0;
    n = h.fake.requests.length;
    h.fake.script({ kind: 'hang' });
    expect(((await thrown(call())) as AppError).code).toBe('llm_timeout');
    await gateway.idle();
    expect(seen).toEqual([`reserve priced @${n}`, `release @${n + 1}`]);

    seen.length = 0;
    n = h.fake.requests.length;
    h.fake.script({ kind: 'hang' });
    const controller = new AbortController();
    const pending = call({ signal: controller.signal });
    while (h.fake.requests.length === n) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error('client gone'));
    expect(((await thrown(pending)) as AppError).code).toBe('llm_cancelled');
    await gateway.idle();
    expect(seen).toEqual([`reserve priced @${n}`, `release @${n + 1}`]);

    seen.length = 0;
    await thrown(call({ body: { model: 'claude-imaginary-9' } }));
    await gateway.idle();
    expect(seen).toEqual([]);
    const outcomes = (await llmEvents(h, ws.id)).filter((e) => e.action === 'llm.call.outcome');
    expect(outcomes.slice(-4).map((e) => e.metadata['outcome'])).toEqual([
      'error',
      'error',
      'cancelled',
      'refused',
    ]);
  });

  it('a stream the caller leaves after counted tokens settles what it consumed', async () => {
    seen.length = 0;
    h.fake.script({ kind: 'stall-mid-stream' });
    const { result } = await call({ body: { stream: true } });
    if (result.kind !== 'stream') throw new Error('expected a stream');
    for await (const event of result.events) {
      expect(event.event).toBe('message_start');
      break;
    }
    await gateway.idle();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatch(/^settle paid/);
  });
});

describe('keys across servers', () => {
  let other: TestApp;
  beforeAll(async () => {
    other = await startTestApp();
  });
  afterAll(() => other.close());

  it("a key revoked through another server is not used by this server's next call", async () => {
    const w = await workspaceIn(h, 'us');
    const id = await addKey(h, w, 'anthropic', h.key);
    const here = createGateway({ ...h.deps, db: h.t.db, keyring: h.t.keyring });
    const request: GatewayRequest = {
      scope: { workspaceId: w.id, userId: w.ownerUserId, tokenId: null },
      operation: 'anthropic.messages',
      body: { model: models['anthropic.messages'], ...bodyFor('anthropic.messages') },
    };
    await here.call(request);
    expect((await llmEvents(h, w.id))[0]?.metadata['key_id']).toBe(id);
    await revokeKey({ t: other }, w, id);
    const sent = h.fake.requests.length;
    await here.call(request);
    expect(h.fake.requests.length).toBe(sent);
    const intents = (await llmEvents(h, w.id)).filter((e) => e.action === 'llm.call.intent');
    expect(intents.at(-1)?.metadata['key_id']).toBe('offline');
  });
});
