/**
 * The provider-compatible endpoints driven by the official SDKs, unchanged,
 * pointed at a listening Wardroom whose gateway talks to the fake upstream:
 * JSON and streams in both formats, the Anthropic SDK's `x-api-key`, errors
 * the SDKs raise with the Wardroom code, another workspace's id, a viewer,
 * a revoked key, region refusal, a client that aborts. Then every audit row
 * of these calls (stored and exported) is under 500 bytes and no prompt,
 * completion or key appears in any audit row or log line.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpoint } from '../../src/modules/audit/index.js';
import { memberToken, type TestWorkspace } from '../support/app.js';
import { FAKE_TEXT } from '../support/fake-llm-upstream.js';
import { thrown } from './helpers.js';
import {
  addKey,
  BLOCKED_REGION,
  llmEvents,
  revokeKey,
  startHarness,
  workspaceIn,
  type Harness,
} from './pipeline-harness.js';

const PROMPT = `Tell me the launch codes ${Math.random().toString(36).slice(2)}`;

let h: Harness;
let ws: TestWorkspace;

const base = (w: TestWorkspace) => `${h.url}/api/v1/workspaces/${w.id}/llm`;
const openai = (w: TestWorkspace, token = w.ownerToken) =>
  new OpenAI({ apiKey: token, baseURL: `${base(w)}/v1`, maxRetries: 0 });
const anthropic = (w: TestWorkspace, token = w.ownerToken) =>
  new Anthropic({ apiKey: token, baseURL: base(w), maxRetries: 0 });

beforeAll(async () => {
  h = await startHarness();
  ws = await workspaceIn(h, 'us');
  await addKey(h, ws, 'anthropic', h.key);
  await addKey(h, ws, 'openai', h.key);
});
afterAll(() => h.close());

describe('the official SDKs, unchanged', () => {
  it('OpenAI chat completions, JSON', async () => {
    const answer = await openai(ws).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: PROMPT }],
    });
    expect(answer.choices[0]?.message.content).toBe(FAKE_TEXT);
    expect(answer.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('OpenAI chat completions, streamed', async () => {
    const stream = await openai(ws).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(FAKE_TEXT);
  });

  it('OpenAI embeddings and responses', async () => {
    const embedded = await openai(ws).embeddings.create({
      model: 'text-embedding-3-small',
      input: PROMPT,
    });
    expect(embedded.data).toHaveLength(1);
    const response = await openai(ws).responses.create({ model: 'gpt-5-mini', input: PROMPT });
    expect(response.output_text).toBe(FAKE_TEXT);
  });

  it('Anthropic messages with x-api-key, JSON and streamed', async () => {
    const client = anthropic(ws);
    const message = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: PROMPT }],
    });
    expect(message.content[0]?.type === 'text' ? message.content[0].text : '').toBe(FAKE_TEXT);
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: PROMPT }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]?.type === 'text' ? final.content[0].text : '').toBe(FAKE_TEXT);
    expect(h.fake.problems).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('lists the four routes with both credentials and the provider error shapes', async () => {
    const res = await h.t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const doc = res.json<{ paths: Record<string, { post?: { security?: unknown[] } }> }>();
    for (const op of ['messages', 'chat/completions', 'responses', 'embeddings']) {
      const route = doc.paths[`/api/v1/workspaces/{ws}/llm/v1/${op}`]?.post;
      expect(route?.security, op).toEqual([{ bearer: [] }, { llmApiKey: [] }]);
    }
  });
});

describe('refusals the SDKs surface, with the Wardroom code', () => {
  it("another workspace's id: 404, and nothing is called", async () => {
    const other = await workspaceIn(h, 'us');
    const sent = h.fake.requests.length;
    const error = await thrown(
      openai(other, ws.ownerToken).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: PROMPT }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('not_found');
    expect(h.fake.requests.length).toBe(sent);
    expect(await llmEvents(h, other.id)).toEqual([]);
  });

  it('a viewer is refused (403) and a bad token is 401', async () => {
    const viewer = await memberToken(h.t, ws, 'viewer');
    const error = await thrown(
      anthropic(ws, viewer.token).messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 8,
        messages: [{ role: 'user', content: PROMPT }],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    const bad = await thrown(
      anthropic(ws, 'wr_not-a-token').messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 8,
        messages: [{ role: 'user', content: PROMPT }],
      }),
    );
    expect(bad).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it('a region with no endpoint: 403 llm_region_blocked, nothing sent', async () => {
    const blocked = await workspaceIn(h, BLOCKED_REGION);
    await addKey(h, blocked, 'openai', h.key);
    const sent = h.fake.requests.length;
    const error = await thrown(
      openai(blocked).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: PROMPT }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('llm_region_blocked');
    expect(h.fake.requests.length).toBe(sent);
  });

  it('an unpriced model is a 400 the SDK raises as BadRequestError', async () => {
    const error = await thrown(
      anthropic(ws).messages.create({
        model: 'claude-imaginary-9',
        max_tokens: 8,
        messages: [{ role: 'user', content: PROMPT }],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(JSON.stringify((error as InstanceType<typeof Anthropic.APIError>).error)).toContain(
      'llm_model_unpriced',
    );
  });

  it('a revoked key is not used on the next call (the offline provider answers)', async () => {
    const w = await workspaceIn(h, 'us');
    const id = await addKey(h, w, 'openai', h.key);
    const first = await openai(w).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: PROMPT }],
    });
    expect(first.choices[0]?.message.content).toBe(FAKE_TEXT);
    await revokeKey(h, w, id);
    const sent = h.fake.requests.length;
    const next = await openai(w).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: PROMPT }],
    });
    expect(next.choices[0]?.message.content).toContain('[offline]');
    expect(h.fake.requests.length).toBe(sent);
  });

  it('a client that aborts a stream stops the upstream call', async () => {
    h.fake.script({ kind: 'stall-mid-stream' });
    const closed = h.fake.clientClosed();
    const controller = new AbortController();
    const stream = await openai(ws).chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }], stream: true },
      { signal: controller.signal },
    );
    const reading = (async () => {
      for await (const chunk of stream) {
        expect(chunk.object).toBe('chat.completion.chunk');
        controller.abort();
      }
    })();
    await reading.catch(() => undefined);
    await closed;
    // The outcome is recorded once the server has seen the close.
    await until(async () =>
      (await llmEvents(h, ws.id)).some((e) => e.metadata['outcome'] === 'cancelled'),
    );
  });
});

describe('what the audit log and the logs hold', () => {
  it('every llm.call row is under 500 bytes as stored (its metadata under 250 exported) and holds no prompt, completion or key', async () => {
    const events = await llmEvents(h, ws.id);
    expect(events.length).toBeGreaterThanOrEqual(12);
    for (const event of events) expect(event.storedBytes, event.text).toBeLessThan(500);
    await createCheckpoint(
      h.t.db,
      h.t.auditSigner,
      await mkdtemp(path.join(os.tmpdir(), 'cp-')),
      ws.id,
    );
    const exported = await h.t.app.inject({
      method: 'GET',
      url: `/api/v1/workspaces/${ws.id}/activity/export?format=jsonl`,
      headers: { authorization: `Bearer ${ws.ownerToken}` },
    });
    expect(exported.statusCode).toBe(200);
    const lines = exported.body.split('\n').filter((l) => l.includes('"llm.call.'));
    expect(lines.length).toBe(events.length);
    // An exported line also carries the audit module's envelope: three UUIDs, a timestamp,
    // the hex hashes of the chain (about 430 bytes with empty metadata), and the caller's
    // IP sealed under their own key (about 70 bytes, where the clear address was 9 to 15).
    // What the gateway adds, the metadata, is held to 250 bytes; the line to 800.
    for (const line of lines) {
      const parsed = JSON.parse(line) as { metadata: unknown };
      expect(Buffer.byteLength(JSON.stringify(parsed.metadata)), line).toBeLessThanOrEqual(250);
      expect(Buffer.byteLength(line), line).toBeLessThan(800);
    }
    const everything = [exported.body, ...events.map((e) => e.text), ...h.logs].join('\n');
    expect(h.logs.length).toBeGreaterThan(0);
    for (const secret of [PROMPT, FAKE_TEXT, h.key, h.key.slice(10, 30)]) {
      expect(everything).not.toContain(secret);
    }
  });
});

async function until(ready: () => Promise<boolean>): Promise<void> {
  while (!(await ready())) await new Promise((resolve) => setTimeout(resolve, 10));
}
