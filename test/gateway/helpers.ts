/** Shared setup of the gateway wire tests: a fake upstream and requests aimed at it. */
import { randomBytes } from 'node:crypto';
import type {
  Operation,
  ProviderRequest,
  StreamEvent,
  StreamResult,
} from '../../src/modules/gateway/index.js';
import type { FakeLlmUpstream } from '../support/fake-llm-upstream.js';

/** A key shaped like a real one, random per run, so a leak is unmistakable. */
export function testKey(): string {
  return `sk-ant-api03-${randomBytes(24).toString('base64url')}`;
}

export const models: Record<Operation, string> = {
  'anthropic.messages': 'claude-sonnet-4-5',
  'openai.chat_completions': 'gpt-4o-mini',
  'openai.responses': 'gpt-5-mini',
  'openai.embeddings': 'text-embedding-3-small',
};

export function bodyFor(operation: Operation, stream = false): Record<string, unknown> {
  const say = [{ role: 'user', content: 'Say hello.' }];
  switch (operation) {
    case 'anthropic.messages':
      return { max_tokens: 64, messages: say, ...(stream ? { stream: true } : {}) };
    case 'openai.chat_completions':
      return { messages: say, ...(stream ? { stream: true } : {}) };
    case 'openai.responses':
      return { input: 'Say hello.', ...(stream ? { stream: true } : {}) };
    case 'openai.embeddings':
      return { input: 'hello' };
  }
}

export function requestTo(
  fake: FakeLlmUpstream,
  key: string | Buffer,
  operation: Operation,
  options: { stream?: boolean; signal?: AbortSignal; timeoutMs?: number } = {},
): ProviderRequest {
  return {
    operation,
    model: models[operation],
    body: bodyFor(operation, options.stream),
    apiKey: key,
    baseUrl: operation === 'anthropic.messages' ? fake.anthropicBaseUrl : fake.openaiBaseUrl,
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

export async function collect(stream: StreamResult): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream.events) events.push(event);
  return events;
}

/** What a failed promise threw (fails the test if it did not throw). */
export async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}
