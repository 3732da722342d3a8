/**
 * The codes a gateway call fails with (besides authentication and access,
 * which are its callers'), for the routes that document them: the
 * compatible endpoints and agent runs. `llm_cancelled` is not among them:
 * the caller who cancelled is no longer there to read it.
 */
import type { ErrorCode } from '../../../base/errors.js';

/** Refusals of the request's own shape: only a caller that sends a provider body meets them. */
export const REQUEST_SHAPE_CODES = ['llm_bad_request', 'llm_tools_invalid'] as const;

export const GATEWAY_ERROR_CODES = [
  ...REQUEST_SHAPE_CODES,
  'llm_model_unpriced',
  'llm_prompt_too_large',
  'llm_region_blocked',
  'budget_exceeded',
  'llm_key_suspended',
  'rate_limited',
  'llm_rate_limited',
  'llm_unauthorized',
  'llm_upstream_error',
  'llm_overloaded',
  'llm_timeout',
] as const satisfies readonly ErrorCode[];
