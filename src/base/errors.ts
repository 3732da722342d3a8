/**
 * The one error type. Every failure a caller can see carries a stable snake_case
 * code; HTTP status is derived from the code in one table, so no handler picks
 * a status by hand and no code changes meaning once shipped.
 */

export const errorStatus = {
  bad_request: 400,
  validation_failed: 400,
  object_key_invalid: 400,
  invalid_json: 400,
  invalid_cursor: 400,
  confirmation_mismatch: 400,
  deletion_confirmation_required: 400,
  unauthenticated: 401,
  code_invalid: 401,
  code_expired: 401,
  code_attempts_exceeded: 401,
  token_expired: 401,
  forbidden: 403,
  csrf_failed: 403,
  session_required: 403,
  reauthentication_required: 403,
  link_invalid: 403,
  link_expired: 403,
  sso_state_invalid: 400,
  billing_signature_invalid: 400,
  sso_token_invalid: 401,
  sso_email_unverified: 401,
  sso_idp_error: 401,
  sso_assertion_invalid: 401,
  sso_assertion_replayed: 401,
  sso_domain_not_allowed: 403,
  sso_no_membership: 403,
  sso_required: 403,
  not_found: 404,
  sso_not_configured: 404,
  billing_not_configured: 404,
  method_not_allowed: 405,
  conflict: 409,
  sso_ambiguous: 409,
  last_owner: 409,
  too_many_tokens: 409,
  privacy_transition_invalid: 409,
  privacy_extension_not_allowed: 409,
  deletion_already_scheduled: 409,
  deletion_not_pending: 409,
  workspace_shredded: 410,
  payload_too_large: 413,
  export_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  contact_suppressed: 409,
  llm_bad_request: 400,
  llm_model_unpriced: 400,
  llm_tools_invalid: 400,
  llm_prompt_too_large: 413,
  llm_region_blocked: 403,
  llm_cancelled: 499,
  llm_rate_limited: 429,
  budget_exceeded: 402,
  llm_key_suspended: 403,
  llm_unauthorized: 502,
  llm_upstream_error: 502,
  llm_overloaded: 503,
  llm_timeout: 504,
  decryption_failed: 500,
  key_unavailable: 500,
  master_key_mismatch: 500,
  config_invalid: 500,
  mail_refused: 502,
  sso_idp_unavailable: 502,
  mail_unavailable: 503,
  storage_unavailable: 503,
  mail_timeout: 504,
  database_unavailable: 503,
  migration_required: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }

  get status(): number {
    return errorStatus[this.code];
  }

  /** Whether the message is safe to show to a client (5xx messages never are). */
  get isExposable(): boolean {
    return this.status < 500;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
