/**
 * A caller that gives up stops the upstream request (the fake sees its
 * connection close), and an upstream that hangs fails with `llm_timeout`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/base/errors.js';
import { createHttpProvider, type StreamResult } from '../../src/modules/gateway/index.js';
import { startFakeLlmUpstream, type FakeLlmUpstream } from '../support/fake-llm-upstream.js';
import { requestTo, testKey, thrown } from './helpers.js';

const key = testKey();
let fake: FakeLlmUpstream;
const provider = createHttpProvider({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });

beforeAll(async () => {
  fake = await startFakeLlmUpstream(key);
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

async function untilRequested(count: number): Promise<void> {
  while (fake.requests.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('cancellation', () => {
  it('aborting a waiting call closes the upstream connection and rejects with the reason', async () => {
    fake.script({ kind: 'hang' });
    const controller = new AbortController();
    const closed = fake.clientClosed();
    const call = provider.call(
      requestTo(fake, key, 'anthropic.messages', { signal: controller.signal }),
    );
    await untilRequested(1);
    const reason = new Error('client went away');
    controller.abort(reason);
    expect(await thrown(call)).toBe(reason);
    await closed;
    expect(fake.requests).toHaveLength(1);
  });

  it('aborting mid-stream closes the upstream connection', async () => {
    fake.script({ kind: 'stall-mid-stream' });
    const controller = new AbortController();
    const closed = fake.clientClosed();
    const result = (await provider.call(
      requestTo(fake, key, 'openai.chat_completions', { stream: true, signal: controller.signal }),
    )) as StreamResult;
    const iterator = result.events[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    controller.abort(new Error('stop'));
    await thrown(
      iterator
        .next()
        .then(() => iterator.next())
        .then(() => iterator.next()),
    );
    await closed;
  });

  it('leaving the loop early (an abandoned stream) closes the upstream connection', async () => {
    fake.script({ kind: 'stall-mid-stream' });
    const closed = fake.clientClosed();
    const result = (await provider.call(
      requestTo(fake, key, 'anthropic.messages', { stream: true }),
    )) as StreamResult;
    for await (const event of result.events) {
      expect(event.event).toBe('message_start');
      break;
    }
    await closed;
    expect(result.usage().inputTokens).toBeGreaterThan(0);
  });
});

describe('timeouts', () => {
  it('an upstream that never answers fails with llm_timeout, without retry', async () => {
    fake.script({ kind: 'hang' });
    const error = await thrown(
      provider.call(requestTo(fake, key, 'openai.responses', { timeoutMs: 200 })),
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('llm_timeout');
    expect(fake.requests).toHaveLength(1);
  });

  it('a stream that goes quiet fails with llm_timeout', async () => {
    fake.script({ kind: 'stall-mid-stream' });
    const result = (await provider.call(
      requestTo(fake, key, 'anthropic.messages', { stream: true, timeoutMs: 200 }),
    )) as StreamResult;
    const seen: unknown[] = [];
    const error = await thrown(
      (async () => {
        for await (const event of result.events) seen.push(event);
      })(),
    );
    expect(seen.length).toBeGreaterThan(0);
    expect((error as AppError).code).toBe('llm_timeout');
  });
});
