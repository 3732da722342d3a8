/**
 * The real providers over HTTP, with undici's `request` (no WHATWG fetch
 * layer: it is the cheaper path, and the gateway's added latency is
 * budgeted under a millisecond). One implementation serves Anthropic and
 * OpenAI; the differences are in wire.ts, usage.ts and upstream-errors.ts.
 */
import type { Logger } from 'pino';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { AppError } from '../../../base/errors.js';
import {
  defaultRetryPolicy,
  delayAfterAnswer,
  delayAfterNotSent,
  wait,
  type RetryPolicy,
} from './retry.js';
import { streamResult } from './sse-stream.js';
import {
  isStreaming,
  operationProvider,
  type Provider,
  type ProviderName,
  type ProviderRequest,
  type ProviderResult,
} from './types.js';
import { isNotSent, transportError, upstreamError } from './upstream-errors.js';
import { usageFromJson } from './usage.js';
import { upstreamBody, upstreamHeaders, upstreamUrl } from './wire.js';

export interface HttpProviderOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Retries and failures are logged here: provider, operation, attempt, status; never a header. */
  readonly logger?: Pick<Logger, 'warn'>;
  /** undici's global dispatcher (keep-alive pool) unless given. */
  readonly dispatcher?: Dispatcher;
}

/** How much of an error answer is read (the rest is dropped). */
const ERROR_BODY_LIMIT = 64 * 1024;

type Answer = Dispatcher.ResponseData;

async function readCapped(answer: Answer): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= ERROR_BODY_LIMIT) break;
  }
  answer.body.destroy();
  return Buffer.concat(chunks).toString('utf8').slice(0, ERROR_BODY_LIMIT);
}

function keyText(request: ProviderRequest): string {
  return typeof request.apiKey === 'string' ? request.apiKey : request.apiKey.toString('utf8');
}

function rethrowAbort(request: ProviderRequest): void {
  if (request.signal?.aborted === true) throw request.signal.reason;
}

async function jsonResult(
  request: ProviderRequest,
  provider: ProviderName,
  answer: Answer,
): Promise<ProviderResult> {
  let body: unknown;
  try {
    body = await answer.body.json();
  } catch (error) {
    rethrowAbort(request);
    if (error instanceof SyntaxError) {
      throw new AppError('llm_upstream_error', `${provider} answered with invalid JSON`, {
        details: { provider, reason: 'invalid_json' },
      });
    }
    throw transportError(provider, error);
  }
  return {
    kind: 'json',
    status: answer.statusCode,
    body,
    usage: usageFromJson(request.operation, body),
  };
}

function logRetry(
  logger: HttpProviderOptions['logger'],
  request: ProviderRequest,
  attempt: number,
  delayMs: number,
  why: string,
): void {
  logger?.warn(
    {
      provider: operationProvider[request.operation],
      operation: request.operation,
      attempt,
      delayMs,
      why,
    },
    'LLM upstream call retried',
  );
}

export function createHttpProvider(options: HttpProviderOptions = {}): Provider {
  const policy = { ...defaultRetryPolicy, ...options.retry };

  async function send(request: ProviderRequest, isStream: boolean): Promise<Answer> {
    const headers = upstreamHeaders(request, isStream);
    return undiciRequest(upstreamUrl(request), {
      method: 'POST',
      headers,
      body: upstreamBody(request, isStream),
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
  }

  /** One attempt: the answer, or the error and how long to wait before the next (if any). */
  async function attemptOnce(
    request: ProviderRequest,
    isStream: boolean,
    attempt: number,
  ): Promise<Answer | { error: AppError; delayMs: number | undefined }> {
    const provider = operationProvider[request.operation];
    let answer: Answer;
    try {
      answer = await send(request, isStream);
    } catch (error) {
      rethrowAbort(request);
      const delayMs = isNotSent(error) ? delayAfterNotSent(policy, attempt) : undefined;
      return { error: transportError(provider, error), delayMs };
    }
    if (answer.statusCode < 300) return answer;
    const body = await readCapped(answer).catch(() => '');
    const error = upstreamError(
      { provider, status: answer.statusCode, headers: answer.headers, body },
      keyText(request),
    );
    return { error, delayMs: delayAfterAnswer(policy, attempt, error) };
  }

  async function answerWithRetries(request: ProviderRequest, isStream: boolean): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptOnce(request, isStream, attempt);
      if (!('error' in outcome)) return outcome;
      if (outcome.delayMs === undefined) throw outcome.error;
      logRetry(options.logger, request, attempt, outcome.delayMs, outcome.error.code);
      try {
        await wait(outcome.delayMs, request.signal);
      } catch (error) {
        rethrowAbort(request);
        throw error;
      }
    }
  }

  return {
    async call(request) {
      const provider = operationProvider[request.operation];
      const isStream = isStreaming(request);
      const answer = await answerWithRetries(request, isStream);
      if (!isStream) return jsonResult(request, provider, answer);
      return streamResult(
        answer.statusCode,
        answer.body,
        request.operation,
        provider,
        request.signal,
      );
    },
  };
}
