/**
 * Errors in each provider's own JSON shape, so the official SDKs raise
 * their usual error classes (by status) with a readable message; the
 * Wardroom code rides along (`error.code`). A 5xx message is a fixed one:
 * the detail is in the server log under the correlation id.
 */
import { z } from 'zod';
import type { AppError } from '../../../base/errors.js';

/** Anthropic's error types by status (docs.anthropic.com, "Errors"). */
function anthropicType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

/** OpenAI's error types by status. */
function openaiType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'insufficient_quota';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 429:
      return 'rate_limit_error';
    default:
      return status < 500 ? 'invalid_request_error' : 'server_error';
  }
}

function message(error: AppError): string {
  return error.isExposable ? error.message : 'The gateway could not complete the call';
}

export function anthropicError(error: AppError): Record<string, unknown> {
  return {
    type: 'error',
    error: { type: anthropicType(error.status), message: message(error), code: error.code },
  };
}

export function openaiError(error: AppError): Record<string, unknown> {
  return {
    error: {
      message: message(error),
      type: openaiType(error.status),
      param: null,
      code: error.code,
    },
  };
}

/** For the OpenAPI document. */
export const anthropicErrorBody = z.object({
  type: z.literal('error'),
  error: z.object({ type: z.string(), message: z.string(), code: z.string() }),
});
export const openaiErrorBody = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.null(),
    code: z.string(),
  }),
});
