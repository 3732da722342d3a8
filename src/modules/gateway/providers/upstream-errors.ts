/**
 * Upstream failures as stable Wardroom codes. The upstream's own message is
 * kept only for 4xx answers the caller can fix (a bad parameter), after
 * removing anything that could be the key: OpenAI quotes part of a wrong key
 * in its 401 message, so a 401/403 message is never kept at all, and any
 * message holding eight characters in a row of the key is dropped whole.
 */
import { AppError, type ErrorCode } from '../../../base/errors.js';
import type { ProviderName } from './types.js';

const MAX_MESSAGE = 300;
const KEY_WINDOW = 8;
/** Shapes of provider keys, censored even when they are not this call's key. */
const KEY_SHAPES = /\b(sk-[A-Za-z0-9_*.-]{4,}|sess-[A-Za-z0-9_-]{8,})/g;

export interface UpstreamAnswer {
  readonly provider: ProviderName;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

function header(answer: UpstreamAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterSeconds(answer: UpstreamAnswer, now = Date.now()): number | undefined {
  const ms = Number(header(answer, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms / 1000);
  const value = header(answer, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function holdsKeyPart(text: string, key: string): boolean {
  if (key.length < KEY_WINDOW) return key.length > 0 && text.includes(key);
  for (let i = 0; i + KEY_WINDOW <= key.length; i++) {
    if (text.includes(key.slice(i, i + KEY_WINDOW))) return true;
  }
  return false;
}

/** The upstream's error message, safe to show: no key, no key-like token, bounded. */
export function sanitizedMessage(body: string, key: string): string | undefined {
  let message: unknown;
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string };
    message = typeof json.error === 'object' ? json.error.message : json.error;
  } catch {
    return undefined;
  }
  if (typeof message !== 'string' || holdsKeyPart(message, key)) return undefined;
  const clean = message.replace(KEY_SHAPES, '[redacted]').replace(/[\r\n\t]+/g, ' ');
  return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE)}…` : clean;
}

function codeFor(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'llm_unauthorized';
  if (status === 429) return 'llm_rate_limited';
  if (status === 529 || status === 503) return 'llm_overloaded';
  if (status === 408 || status === 504) return 'llm_timeout';
  if (status >= 400 && status < 500) return 'llm_bad_request';
  return 'llm_upstream_error';
}

const summaries: Partial<Record<ErrorCode, string>> = {
  llm_unauthorized: 'refused the API key (it is wrong, revoked or lacks access)',
  llm_rate_limited: 'is rate limiting this key',
  llm_overloaded: 'is overloaded',
  llm_timeout: 'timed out',
  llm_upstream_error: 'failed',
};

/** The AppError for a non-2xx answer; `key` is only used to censor. */
export function upstreamError(answer: UpstreamAnswer, key: string): AppError {
  const code = codeFor(answer.status);
  const retryAfter = retryAfterSeconds(answer);
  const upstream = code === 'llm_bad_request' ? sanitizedMessage(answer.body, key) : undefined;
  const what = summaries[code] ?? 'rejected the request';
  const message = `${answer.provider} ${what} (HTTP ${answer.status})${upstream === undefined ? '' : `: ${upstream}`}`;
  return new AppError(code, message, {
    details: {
      provider: answer.provider,
      upstreamStatus: answer.status,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    },
  });
}

/** Network codes that mean no byte of the request reached the upstream. */
const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN', 'ENETUNREACH']);

export function isNotSent(error: unknown): boolean {
  return NOT_SENT.has(errorCode(error) ?? '');
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return errorCode((error as { cause?: unknown }).cause);
}

/**
 * A transport failure as an AppError. The original error is not attached as
 * the cause: its properties are undici's, and nothing here proves they hold
 * no header. Its code is kept.
 */
export function transportError(provider: ProviderName, error: unknown): AppError {
  const code = errorCode(error) ?? 'unknown';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new AppError('llm_timeout', `${provider} did not answer in time`, {
      details: { provider, reason: code },
    });
  }
  return new AppError('llm_upstream_error', `${provider} could not be reached (${code})`, {
    details: { provider, reason: code },
  });
}
