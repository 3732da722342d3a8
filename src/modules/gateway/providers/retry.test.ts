import { describe, expect, it } from 'vitest';
import { AppError } from '../../../base/errors.js';
import { defaultRetryPolicy, delayAfterAnswer, delayAfterNotSent } from './retry.js';

const policy = {
  ...defaultRetryPolicy,
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 150,
  maxRetryAfterSeconds: 20,
};
const failure = (upstreamStatus: number, retryAfterSeconds?: number) =>
  new AppError('llm_upstream_error', 'x', {
    details: { upstreamStatus, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) },
  });

describe('retry policy', () => {
  it('waits exactly Retry-After when the upstream gives one', () => {
    expect(delayAfterAnswer(policy, 1, failure(429, 3))).toBe(3000);
    expect(delayAfterAnswer(policy, 2, failure(529, 0))).toBe(0);
  });

  it('hands a Retry-After beyond the ceiling to the caller instead of waiting', () => {
    expect(delayAfterAnswer(policy, 1, failure(429, 21))).toBeUndefined();
  });

  it('backs off with jitter under a doubling ceiling when there is no Retry-After', () => {
    for (let i = 0; i < 50; i++) {
      const first = delayAfterAnswer(policy, 1, failure(503));
      const second = delayAfterNotSent(policy, 2);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(first).toBeLessThan(100);
      expect(second).toBeLessThan(150);
    }
  });

  it.each([400, 401, 404, 500, 502, 504])('never retries a %i', (status) => {
    expect(delayAfterAnswer(policy, 1, failure(status))).toBeUndefined();
  });

  it('stops at maxAttempts', () => {
    expect(delayAfterAnswer(policy, 3, failure(429, 0))).toBeUndefined();
    expect(delayAfterNotSent(policy, 3)).toBeUndefined();
  });

  it('does not retry a failure that has no upstream status (a timeout, a reset)', () => {
    expect(delayAfterAnswer(policy, 1, new AppError('llm_timeout', 'x'))).toBeUndefined();
  });
});
