/**
 * Asking an agent through the runs route, on the real stack (PostgreSQL,
 * keyring, the gateway with the real budget guard, the fake upstream):
 * the reply streams as SSE and is stored sealed as the agent's message, the
 * run records its usage and cost, and its audit events correlate with the
 * gateway call; a budget refusal is a 402 before anything is sent; a client
 * that leaves cancels the run and the upstream call; and every refusal of
 * bad input, role or another workspace's ids writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import { memberToken, newWorkspace, type TestWorkspace } from '../support/app.js';
import { FAKE_TEXT, FAKE_USAGE } from '../support/fake-llm-upstream.js';
import { call, expectError, seedContent } from '../support/http.js';
import {
  createAgent,
  parseSse,
  runsUrl,
  runWorkspace,
  startRunsHarness,
  type RunsHarness,
} from './runs-harness.js';

let h: RunsHarness;

beforeAll(async () => {
  h = await startRunsHarness();
});
afterAll(() => h.close());

interface Counts {
  messages: number;
  runs: number;
}

async function counts(ws: TestWorkspace): Promise<Counts> {
  return h.t.db.withTenant(systemPrincipal(ws.id, 'test'), async (tx) => {
    const m = await tx
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const r = await tx
      .selectFrom('agent_runs')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return { messages: Number(m.n), runs: Number(r.n) };
  });
}

function ask(ws: TestWorkspace, conversationId: string, payload: object, token = ws.ownerToken) {
  return call(h.t, 'POST', runsUrl(ws, conversationId), { token, payload });
}

describe('a run that succeeds', () => {
  it('streams the reply, stores it sealed as the agent, and records usage, cost and the call', async () => {
    const ws = await runWorkspace(h);
    const question = 'Draft the minutes of the March board meeting.';
    const res = await ask(ws, ws.conversationId, { agent_id: ws.agentId, content: question });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.headers['cache-control']).toBe('no-store');

    const events = parseSse(res.body);
    expect(events[0]?.event).toBe('run');
    expect(events.at(-1)?.event).toBe('done');
    const deltas = events.filter((e) => e.event === 'delta').map((e) => e.data['text']);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(FAKE_TEXT);

    const started = events[0]?.data as { run_id: string; call_id: string };
    const done = events.at(-1)?.data as {
      run: Record<string, unknown>;
      reply_message: { id: string; content: string; author_type: string };
    };
    expect(done.run).toMatchObject({
      id: started.run_id,
      status: 'succeeded',
      agent_id: ws.agentId,
      input_tokens: FAKE_USAGE.input,
      output_tokens: FAKE_USAGE.output,
      call_id: started.call_id,
      error_code: null,
    });
    expect(done.run['cost_micros']).toBeGreaterThan(0);
    expect(done.reply_message).toMatchObject({ content: FAKE_TEXT, author_type: 'agent' });

    // What went upstream: the agent's model, system prompt and the question, streamed.
    const sent = h.fake.requests.at(-1)?.body as Record<string, unknown>;
    expect(sent).toMatchObject({
      model: 'claude-sonnet-4-5',
      system: 'You are the board secretary.',
      stream: true,
      max_tokens: 256,
    });
    expect(JSON.stringify(sent['messages'])).toContain(question);

    // Stored: sealed in the database, the agent as author; readable through the API.
    const row = await h.t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
      tx
        .selectFrom('messages')
        .selectAll()
        .where('id', '=', done.reply_message.id)
        .executeTakeFirstOrThrow(),
    );
    expect(row).toMatchObject({ author_type: 'agent', author_id: ws.agentId });
    expect(row.content.toString('latin1')).not.toContain('fake upstream');
    const listed = await call(
      h.t,
      'GET',
      `/api/v1/workspaces/${ws.id}/conversations/${ws.conversationId}/messages`,
      { token: ws.ownerToken },
    );
    const items = listed.json<{ items: { id: string; content: string; author_type: string }[] }>()
      .items;
    expect(items.find((m) => m.id === done.reply_message.id)).toMatchObject({
      content: FAKE_TEXT,
      author_type: 'agent',
    });
    expect(items.some((m) => m.content === question && m.author_type === 'user')).toBe(true);

    // The run, read back.
    const run = await call(h.t, 'GET', `${runsUrl(ws, ws.conversationId)}/${started.run_id}`, {
      token: ws.ownerToken,
    });
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json()).toMatchObject({ status: 'succeeded', reply_message_id: row.id });

    // The gateway's two events and the agent's reply share the call's correlation id.
    await h.gateway.idle(); // the outcome follows the answer
    const audit = await h.t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
      tx
        .selectFrom('audit_log')
        .select(['action', 'actor_type', 'actor_id'])
        .where('correlation_id', '=', started.call_id)
        .orderBy('id')
        .execute(),
    );
    const actions = audit.map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['llm.call.intent', 'llm.call.outcome']));
    expect(audit.some((a) => a.actor_type === 'agent' && a.actor_id === ws.agentId)).toBe(true);
  });
});

describe('refusals before the stream', () => {
  it('refuses a run over the workspace budget with 402 and sends nothing upstream', async () => {
    const ws = await runWorkspace(h);
    const budget = await call(h.t, 'POST', `/api/v1/workspaces/${ws.id}/llm/budgets`, {
      token: ws.ownerToken,
      payload: { scope: 'workspace', period: 'day', hard_limit_micros: 1 },
    });
    expect(budget.statusCode, budget.body).toBe(201);
    const before = h.fake.requests.length;
    const res = await ask(ws, ws.conversationId, { agent_id: ws.agentId, content: 'Anything' });
    expectError(res, 402, 'budget_exceeded');
    expect(h.fake.requests.length).toBe(before);
    // The run is recorded as failed with the refusal's code; no reply is stored.
    const runs = await h.t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
      tx.selectFrom('agent_runs').selectAll().execute(),
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'failed',
      error_code: 'budget_exceeded',
      reply_message_id: null,
    });
  });

  it('refuses a viewer with 403 and no credentials with 401, and writes nothing', async () => {
    const ws = await runWorkspace(h);
    const viewer = await memberToken(h.t, ws, 'viewer');
    const before = await counts(ws);
    const res = await ask(
      ws,
      ws.conversationId,
      { agent_id: ws.agentId, content: 'Hello' },
      viewer.token,
    );
    expectError(res, 403, 'forbidden');
    const anonymous = await call(h.t, 'POST', runsUrl(ws, ws.conversationId), {
      payload: { agent_id: ws.agentId, content: 'Hello' },
    });
    expectError(anonymous, 401, 'unauthenticated');
    expect(await counts(ws)).toEqual(before);
  });

  it('answers 404 for another workspace’s conversation or agent and writes nothing', async () => {
    const a = await runWorkspace(h);
    const b = await runWorkspace(h);
    const [beforeA, beforeB] = [await counts(a), await counts(b)];
    // B's token on A's path: the workspace is not B's.
    expectError(
      await ask(a, a.conversationId, { agent_id: a.agentId, content: 'x' }, b.ownerToken),
      404,
      'not_found',
    );
    // In B's workspace, A's conversation; then A's agent in B's conversation.
    expectError(
      await ask(b, a.conversationId, { agent_id: b.agentId, content: 'x' }),
      404,
      'not_found',
    );
    expectError(
      await ask(b, b.conversationId, { agent_id: a.agentId, content: 'x' }),
      404,
      'not_found',
    );
    expect([await counts(a), await counts(b)]).toEqual([beforeA, beforeB]);
  });

  it('answers 404 for an archived agent and writes nothing', async () => {
    const ws = await runWorkspace(h);
    const archived = await createAgent(h, ws, 'Retired');
    const patch = await call(h.t, 'PATCH', `/api/v1/workspaces/${ws.id}/agents/${archived}`, {
      token: ws.ownerToken,
      payload: { archived: true },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const before = await counts(ws);
    expectError(
      await ask(ws, ws.conversationId, { agent_id: archived, content: 'Hello?' }),
      404,
      'not_found',
    );
    expect(await counts(ws)).toEqual(before);
  });

  it('refuses bad input with validation_failed and writes nothing', async () => {
    const ws = await runWorkspace(h);
    const before = await counts(ws);
    const bad: object[] = [
      {},
      { agent_id: ws.agentId },
      { agent_id: ws.agentId, content: '' },
      { agent_id: 'not-a-uuid', content: 'Hello' },
      { agent_id: ws.agentId, content: 'x'.repeat(100_001) },
      { agent_id: ws.agentId, content: 'Hello', model: 'gpt-4o' },
      { agent_id: ws.agentId, content: 42 },
    ];
    for (const payload of bad) {
      expectError(await ask(ws, ws.conversationId, payload), 400, 'validation_failed');
    }
    expectError(
      await ask(ws, 'not-a-uuid', { agent_id: ws.agentId, content: 'Hello' }),
      400,
      'validation_failed',
    );
    expect(await counts(ws)).toEqual(before);
  });

  it('answers 404 for an unknown run and for a run read through another conversation', async () => {
    const ws = await runWorkspace(h);
    const other = await seedContent(h.t, ws, 'other');
    const res = await ask(ws, ws.conversationId, { agent_id: ws.agentId, content: 'Hi' });
    const runId = (parseSse(res.body)[0]?.data as { run_id: string }).run_id;
    const get = (conversationId: string, id: string) =>
      call(h.t, 'GET', `${runsUrl(ws, conversationId)}/${id}`, { token: ws.ownerToken });
    expect((await get(ws.conversationId, runId)).statusCode).toBe(200);
    expectError(await get(other.conversationId, runId), 404, 'not_found');
    expectError(await get(ws.conversationId, crypto.randomUUID()), 404, 'not_found');
    const stranger = await newWorkspace(h.t);
    expectError(
      await call(h.t, 'GET', `${runsUrl(stranger, ws.conversationId)}/${runId}`, {
        token: stranger.ownerToken,
      }),
      404,
      'not_found',
    );
  });
});

describe('failures after the stream started', () => {
  it('ends with an error event and a failed run when the upstream fails mid-stream', async () => {
    const ws = await runWorkspace(h);
    h.fake.script({ kind: 'error-event' });
    const res = await ask(ws, ws.conversationId, { agent_id: ws.agentId, content: 'Hello' });
    expect(res.statusCode, res.body).toBe(200);
    const events = parseSse(res.body);
    expect(events[0]?.event).toBe('run');
    const last = events.at(-1);
    expect(last?.event).toBe('error');
    expect(last?.data).toMatchObject({ code: 'llm_overloaded', run: { status: 'failed' } });
    const agentMessages = await h.t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
      tx.selectFrom('messages').select('id').where('author_type', '=', 'agent').execute(),
    );
    expect(agentMessages).toHaveLength(0);
  });
});

describe('the OpenAPI document', () => {
  it('lists the runs route as a text/event-stream answer with JSON errors, and the run read', async () => {
    const res = await h.t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    type Op = {
      security?: unknown[];
      responses?: Record<string, { content?: Record<string, unknown> }>;
    };
    const doc = res.json<{ paths: Record<string, { post?: Op; get?: Op }> }>();
    const post = doc.paths['/api/v1/workspaces/{ws}/conversations/{id}/runs']?.post;
    expect(post?.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(Object.keys(post?.responses?.['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(Object.keys(post?.responses?.['402']?.content ?? {})).toEqual(['application/json']);
    expect(doc.paths['/api/v1/workspaces/{ws}/conversations/{id}/runs/{run}']?.get).toBeDefined();
  });
});
