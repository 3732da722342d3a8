import { describe, expect, it } from 'vitest';
import { retryAfterSeconds, sanitizedMessage, upstreamError } from './upstream-errors.js';

const key = 'byok-0123456789abcdefghijklmnopqrstuv';
const answer = (status: number, headers: Record<string, string> = {}, body = '') => ({
  provider: 'openai' as const,
  status,
  headers,
  body,
});

describe('Retry-After', () => {
  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(retryAfterSeconds(answer(429, { 'retry-after': '12' }))).toBe(12);
    expect(retryAfterSeconds(answer(429, { 'retry-after-ms': '1500' }))).toBe(2);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(
      retryAfterSeconds(answer(429, { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now),
    ).toBe(30);
    expect(retryAfterSeconds(answer(429, { 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterSeconds(answer(429))).toBeUndefined();
  });
});

describe('sanitized upstream messages', () => {
  const body = (message: string) => JSON.stringify({ error: { message } });

  it('keeps a harmless message', () => {
    expect(sanitizedMessage(body('max_tokens is too large'), key)).toBe('max_tokens is too large');
  });

  it('drops a message holding any 8 characters in a row of the key', () => {
    expect(sanitizedMessage(body(`bad: ${key.slice(10, 18)}`), key)).toBeUndefined();
    expect(sanitizedMessage(body(`bad: ${key}`), key)).toBeUndefined();
  });

  it('censors key-shaped tokens that are not this key, and bounds the length', () => {
    expect(sanitizedMessage(body('Incorrect API key provided: sk-proj-abc***xyz.'), key)).toBe(
      'Incorrect API key provided: [redacted]',
    );
    expect(sanitizedMessage(body('x'.repeat(1000)), key)?.length).toBeLessThanOrEqual(301);
  });

  it('never keeps the message of a 401', () => {
    const error = upstreamError(answer(401, {}, body('Incorrect API key provided')), key);
    expect(error.code).toBe('llm_unauthorized');
    expect(error.message).not.toContain('Incorrect');
  });

  it('ignores a body that is not JSON', () => {
    expect(sanitizedMessage('<html>', key)).toBeUndefined();
  });
});
