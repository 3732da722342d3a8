/**
 * Upstream failures: each maps to its stable code; only what cannot have
 * been billed is retried (counted at the fake); a stream is never resent;
 * and the key appears in nothing a caller or a log could see.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/base/logger.js';
import { AppError } from '../../src/base/errors.js';
import { createHttpProvider, type StreamResult } from '../../src/modules/gateway/index.js';
import {
  startFakeLlmUpstream,
  type FakeLlmUpstream,
  type Scenario,
} from '../support/fake-llm-upstream.js';
import { corpus, findLeaks, memoryStream } from '../support/log-capture.js';
import { collect, requestTo, testKey, thrown } from './helpers.js';

const key = testKey();
let fake: FakeLlmUpstream;
const fast = { baseDelayMs: 1, maxDelayMs: 5 };

beforeAll(async () => {
  fake = await startFakeLlmUpstream(key);
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

function appError(value: unknown): AppError {
  if (!(value instanceof AppError)) throw new Error(`expected an AppError, got ${String(value)}`);
  return value;
}

describe('error mapping (one attempt)', () => {
  const provider = createHttpProvider({ retry: { maxAttempts: 1 } });
  const cases: [Scenario, string][] = [
    [{ kind: 'status', status: 400 }, 'llm_bad_request'],
    [{ kind: 'status', status: 404 }, 'llm_bad_request'],
    [{ kind: 'status', status: 401 }, 'llm_unauthorized'],
    [{ kind: 'status', status: 403 }, 'llm_unauthorized'],
    [{ kind: 'status', status: 429, headers: { 'retry-after': '7' } }, 'llm_rate_limited'],
    [{ kind: 'status', status: 529 }, 'llm_overloaded'],
    [{ kind: 'status', status: 503 }, 'llm_overloaded'],
    [{ kind: 'status', status: 500 }, 'llm_upstream_error'],
    [{ kind: 'status', status: 502 }, 'llm_upstream_error'],
  ];

  it.each(cases)('%o → %s', async (scenario, code) => {
    fake.script(scenario);
    const error = appError(await thrown(provider.call(requestTo(fake, key, 'anthropic.messages'))));
    expect(error.code).toBe(code);
    expect(error.details).toMatchObject({
      provider: 'anthropic',
      upstreamStatus: (scenario as { status: number }).status,
    });
  });

  it('keeps Retry-After of a 429', async () => {
    fake.script({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    const error = appError(
      await thrown(provider.call(requestTo(fake, key, 'openai.chat_completions'))),
    );
    expect(error.details?.['retryAfterSeconds']).toBe(7);
    expect(error.status).toBe(429);
  });

  it('passes on the upstream reason of a 400, which the caller can fix', async () => {
    fake.script({
      kind: 'status',
      status: 400,
      body: {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'max_tokens: too large' },
      },
    });
    const error = appError(await thrown(provider.call(requestTo(fake, key, 'anthropic.messages'))));
    expect(error.message).toContain('max_tokens: too large');
  });
});

describe('retries', () => {
  const provider = createHttpProvider({ retry: { maxAttempts: 3, ...fast } });

  it('retries 429 and 529, then succeeds', async () => {
    fake.script(
      { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
      { kind: 'status', status: 529 },
    );
    const result = await provider.call(requestTo(fake, key, 'anthropic.messages'));
    expect(result.kind).toBe('json');
    expect(fake.requests).toHaveLength(3);
  });

  it('gives up after maxAttempts and reports the last failure', async () => {
    fake.script(...Array.from({ length: 3 }, (): Scenario => ({ kind: 'status', status: 503 })));
    const error = appError(await thrown(provider.call(requestTo(fake, key, 'openai.responses'))));
    expect(error.code).toBe('llm_overloaded');
    expect(fake.requests).toHaveLength(3);
  });

  it('never retries a 500 (the upstream may have done the work)', async () => {
    fake.script({ kind: 'status', status: 500 });
    await thrown(provider.call(requestTo(fake, key, 'openai.chat_completions')));
    expect(fake.requests).toHaveLength(1);
  });

  it('does not wait for a Retry-After longer than the policy allows', async () => {
    fake.script({ kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
    const error = appError(await thrown(provider.call(requestTo(fake, key, 'openai.embeddings'))));
    expect(error.details?.['retryAfterSeconds']).toBe(3600);
    expect(fake.requests).toHaveLength(1);
  });

  it('never resends a stream that began and broke', async () => {
    fake.script({ kind: 'drop-mid-stream' });
    const result = (await provider.call(
      requestTo(fake, key, 'anthropic.messages', { stream: true }),
    )) as StreamResult;
    const error = appError(await thrown(collect(result)));
    expect(error.code).toBe('llm_upstream_error');
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses a malformed stream', async () => {
    fake.script({ kind: 'malformed-stream' });
    const result = (await provider.call(
      requestTo(fake, key, 'openai.chat_completions', { stream: true }),
    )) as StreamResult;
    const error = appError(await thrown(collect(result)));
    expect(error.code).toBe('llm_upstream_error');
    expect(error.details).toMatchObject({ reason: 'malformed_stream' });
  });

  it('maps an error event inside a stream, without resending', async () => {
    fake.script({ kind: 'error-event' });
    const result = (await provider.call(
      requestTo(fake, key, 'anthropic.messages', { stream: true }),
    )) as StreamResult;
    const error = appError(await thrown(collect(result)));
    expect(error.code).toBe('llm_overloaded');
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a refused connection (nothing was sent), then reports it', async () => {
    const lines = memoryStream();
    const logged = createHttpProvider({
      retry: { maxAttempts: 3, ...fast },
      logger: createLogger('info', lines),
    });
    const closed = await startFakeLlmUpstream(key);
    await closed.close();
    const error = appError(await thrown(logged.call(requestTo(closed, key, 'anthropic.messages'))));
    expect(error.code).toBe('llm_upstream_error');
    expect(error.details).toMatchObject({ reason: 'ECONNREFUSED' });
    expect(lines.lines.filter((l) => l.includes('LLM upstream call retried'))).toHaveLength(2);
  });
});

describe('the key never leaks', () => {
  // Not shaped like sk-…: a BYOK key may have any shape, so censoring by shape cannot be what saves it.
  const key = `byok-${randomBytes(30).toString('base64url')}`;
  let fake: FakeLlmUpstream;
  beforeAll(async () => {
    fake = await startFakeLlmUpstream(key);
  });
  afterAll(() => fake.close());

  it('is absent from every error, its properties, and every log line', async () => {
    const lines = memoryStream();
    const provider = createHttpProvider({
      retry: { maxAttempts: 2, ...fast },
      logger: createLogger('trace', lines),
    });
    const seen = corpus();
    const echo = (status: number, message: string): Scenario => ({
      kind: 'status',
      status,
      body: { error: { type: 'invalid_request_error', message } },
    });
    const scenarios: Scenario[] = [
      echo(401, `Incorrect API key provided: ${key}`),
      echo(400, `Bad header value ${key.slice(-20)}`),
      echo(400, `Key ${key} is not allowed`),
      echo(403, `Key ${key} lacks access`),
      { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
      echo(429, `Rate limit for ${key}`),
      echo(500, `Internal error for ${key}`),
    ];
    fake.script(...scenarios);
    for (let i = 0; i < 6; i++) {
      const error = await thrown(provider.call(requestTo(fake, key, 'openai.chat_completions')));
      seen.add(
        `error ${i}`,
        `${String(error)}\n${JSON.stringify(error)}\n${inspect(error, { depth: 10, showHidden: true })}`,
      );
      seen.add(
        `error ${i} json`,
        JSON.stringify({ ...(error as object), message: (error as Error).message }),
      );
    }
    for (const line of lines.lines) seen.add('log', line);
    expect(seen.texts.length).toBeGreaterThan(6);
    expect(findLeaks(seen, { key })).toEqual([]);
  });
});
