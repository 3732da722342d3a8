import { describe, expect, it } from 'vitest';
import { createOfflineProvider, OFFLINE_NOTICE } from './offline-provider.js';
import type { Operation, ProviderRequest, StreamEvent } from './types.js';

const provider = createOfflineProvider();

function request(operation: Operation, body: Record<string, unknown>): ProviderRequest {
  return {
    operation,
    model: 'any-model',
    body,
    apiKey: '',
    baseUrl: 'http://unused.invalid',
    timeoutMs: 1000,
  };
}

const chat = { messages: [{ role: 'user', content: 'Hello?' }] };

async function events(r: ProviderRequest): Promise<StreamEvent[]> {
  const result = await provider.call(r);
  if (result.kind !== 'stream') throw new Error('expected a stream');
  const out: StreamEvent[] = [];
  for await (const event of result.events) out.push(event);
  return out;
}

describe('offline provider', () => {
  it.each<Operation>(['anthropic.messages', 'openai.chat_completions', 'openai.responses'])(
    '%s says plainly it is offline, with token counts, the same every time',
    async (operation) => {
      const a = await provider.call(
        request(operation, { ...chat, input: 'Hello?', max_tokens: 10 }),
      );
      const b = await provider.call(
        request(operation, { ...chat, input: 'Hello?', max_tokens: 10 }),
      );
      expect(a).toEqual(b);
      if (a.kind !== 'json') throw new Error('expected JSON');
      expect(JSON.stringify(a.body)).toContain(OFFLINE_NOTICE.slice(0, 40));
      expect(a.usage.inputTokens).toBeGreaterThan(0);
      expect(a.usage.outputTokens).toBeGreaterThan(0);
    },
  );

  it('answers a different prompt with a different id', async () => {
    const a = await provider.call(request('openai.chat_completions', chat));
    const b = await provider.call(
      request('openai.chat_completions', { messages: [{ role: 'user', content: 'Other' }] }),
    );
    expect(JSON.stringify(a)).not.toEqual(JSON.stringify(b));
  });

  it('streams Anthropic events in order, ending with message_stop, with usage in message_delta', async () => {
    const streamed = await events(request('anthropic.messages', { ...chat, stream: true }));
    expect(streamed.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      ...streamed.filter((e) => e.event === 'content_block_delta').map(() => 'content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const text = streamed
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.json as { delta: { text: string } }).delta.text)
      .join('');
    expect(text.startsWith(OFFLINE_NOTICE)).toBe(true);
    expect(streamed.every((e) => JSON.stringify(e.json) === e.data)).toBe(true);
  });

  it('streams OpenAI chat chunks with a usage chunk and [DONE]', async () => {
    const streamed = await events(request('openai.chat_completions', { ...chat, stream: true }));
    expect(streamed.at(-1)?.data).toBe('[DONE]');
    const last = streamed.at(-2)?.json as { choices: unknown[]; usage: { prompt_tokens: number } };
    expect(last.choices).toEqual([]);
    expect(last.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('streams Responses events ending with response.completed', async () => {
    const streamed = await events(request('openai.responses', { input: 'Hi', stream: true }));
    expect(streamed[0]?.event).toBe('response.created');
    expect(streamed.at(-1)?.event).toBe('response.completed');
  });

  it('gives deterministic unit embeddings of the asked dimension', async () => {
    const call = () =>
      provider.call(request('openai.embeddings', { input: ['a', 'b'], dimensions: 8 }));
    const a = await call();
    expect(a).toEqual(await call());
    const data = (a as { body: { data: { embedding: number[] }[] } }).body.data;
    expect(data).toHaveLength(2);
    expect(data[0]?.embedding).toHaveLength(8);
    expect(Math.hypot(...(data[0]?.embedding ?? []))).toBeCloseTo(1, 9);
    expect(data[0]?.embedding).not.toEqual(data[1]?.embedding);
  });

  it('refuses to start when the caller already cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(
      provider.call({ ...request('openai.chat_completions', chat), signal: controller.signal }),
    ).rejects.toThrow('gone');
  });
});
