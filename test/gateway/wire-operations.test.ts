/**
 * Each operation, JSON and streamed, against the fake upstream: the answer
 * comes back as sent, usage is normalized, and the fake finds every request
 * well formed (auth header, version header, body shape).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpProvider, type Operation } from '../../src/modules/gateway/index.js';
import {
  FAKE_TEXT,
  FAKE_USAGE,
  startFakeLlmUpstream,
  type FakeLlmUpstream,
} from '../support/fake-llm-upstream.js';
import { collect, models, requestTo, testKey } from './helpers.js';

const key = testKey();
let fake: FakeLlmUpstream;
const provider = createHttpProvider();

beforeAll(async () => {
  fake = await startFakeLlmUpstream(key);
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

const operations: Operation[] = [
  'anthropic.messages',
  'openai.chat_completions',
  'openai.responses',
  'openai.embeddings',
];

describe('JSON answers', () => {
  it.each(operations)('%s returns the body and its usage', async (operation) => {
    const result = await provider.call(requestTo(fake, key, operation));
    expect(result.kind).toBe('json');
    if (result.kind !== 'json') return;
    expect(result.usage).toEqual({
      inputTokens: FAKE_USAGE.input,
      outputTokens: operation === 'openai.embeddings' ? 0 : FAKE_USAGE.output,
    });
    expect(JSON.stringify(result.body)).toContain(
      operation === 'openai.embeddings' ? '0.6' : FAKE_TEXT,
    );
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body).toMatchObject({ model: models[operation] });
    expect(fake.problems).toEqual([]);
  });

  it('takes the key as a Buffer too', async () => {
    const result = await provider.call(requestTo(fake, Buffer.from(key), 'anthropic.messages'));
    expect(result.kind).toBe('json');
    expect(fake.problems).toEqual([]);
  });

  it('sends the resolved model, whatever the body said', async () => {
    const request = requestTo(fake, key, 'openai.chat_completions');
    await provider.call({ ...request, body: { ...request.body, model: 'something-else' } });
    expect(fake.requests[0]?.body).toMatchObject({ model: models['openai.chat_completions'] });
  });
});

describe('streams', () => {
  const streamed: Operation[] = [
    'anthropic.messages',
    'openai.chat_completions',
    'openai.responses',
  ];

  it.each(streamed)('%s yields every event and reports the final usage', async (operation) => {
    const result = await provider.call(requestTo(fake, key, operation, { stream: true }));
    expect(result.kind).toBe('stream');
    if (result.kind !== 'stream') return;
    const events = await collect(result);
    expect(events.length).toBeGreaterThan(2);
    expect(events.map((e) => e.data).join('')).toContain('the fake upstream.');
    expect(result.usage()).toEqual({
      inputTokens: FAKE_USAGE.input,
      outputTokens: FAKE_USAGE.output,
    });
    expect(fake.problems).toEqual([]);
  });

  it('asks OpenAI for the usage chunk, keeping the caller’s other stream options', async () => {
    const request = requestTo(fake, key, 'openai.chat_completions', { stream: true });
    const result = await provider.call({
      ...request,
      body: { ...request.body, stream_options: { other: 1 } },
    });
    if (result.kind === 'stream') await collect(result);
    expect(fake.requests[0]?.body).toMatchObject({
      stream_options: { other: 1, include_usage: true },
    });
  });

  it('keeps Anthropic event names and raw data for forwarding', async () => {
    const result = await provider.call(
      requestTo(fake, key, 'anthropic.messages', { stream: true }),
    );
    if (result.kind !== 'stream') throw new Error('expected a stream');
    const events = await collect(result);
    expect(events[0]?.event).toBe('message_start');
    expect(events.at(-1)?.event).toBe('message_stop');
    expect(JSON.parse(events[0]?.data ?? '')).toEqual(events[0]?.json);
  });
});
