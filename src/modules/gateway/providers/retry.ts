/**
 * When a failed upstream call may be sent again: only when it cannot have
 * been billed. A refused connection sent nothing; 429, 503 and Anthropic's
 * 529 are answered before any work. Everything else (a 500, a reset after
 * sending, a timeout, a stream that began) is final: a second attempt could
 * double the spend or the side effects.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppError } from '../../../base/errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** First backoff; doubled each attempt, with full jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A longer `Retry-After` is not waited for: the error goes to the caller. */
  readonly maxRetryAfterSeconds: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  maxRetryAfterSeconds: 20,
};

const RETRYABLE_STATUS = new Set([429, 503, 529]);

function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(Math.random() * ceiling);
}

/** Milliseconds to wait before attempt `attempt + 1`, or undefined when it must not happen. */
export function delayAfterAnswer(
  policy: RetryPolicy,
  attempt: number,
  error: AppError,
): number | undefined {
  const status = error.details?.['upstreamStatus'];
  if (attempt >= policy.maxAttempts || typeof status !== 'number') return undefined;
  if (!RETRYABLE_STATUS.has(status)) return undefined;
  const retryAfter = error.details?.['retryAfterSeconds'];
  if (typeof retryAfter !== 'number') return backoffMs(policy, attempt);
  return retryAfter > policy.maxRetryAfterSeconds ? undefined : retryAfter * 1000;
}

export function delayAfterNotSent(policy: RetryPolicy, attempt: number): number | undefined {
  return attempt >= policy.maxAttempts ? undefined : backoffMs(policy, attempt);
}

/** Waits, unless the caller cancels first (then throws the signal's reason). */
export async function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await sleep(ms, undefined, signal === undefined ? {} : { signal });
}
