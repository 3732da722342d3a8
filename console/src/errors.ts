/**
 * Every API error code the console can meet, as a sentence for a person.
 * The one place codes become words: pages show `describeError(error)`.
 */
import { ApiError } from './api/client';

const sentences: Readonly<Record<string, string>> = {
  code_invalid: 'That code is not right. Check the email and try again.',
  code_expired: 'That code has expired. Ask for a new one.',
  code_attempts_exceeded: 'Too many wrong codes. Ask for a new one.',
  rate_limited: 'Too many attempts. Wait a minute, then try again.',
  contact_suppressed:
    'This address asked not to be held as a contact (a privacy opt-out), so it cannot be added.',
  csrf_failed: 'Your session could not be confirmed. Reload the page and try again.',
  unauthenticated: 'You are not signed in, or your session has ended. Sign in again.',
  forbidden: 'You do not have permission to do that.',
  validation_failed: 'Some of what you entered is not valid. Check it and try again.',
  bad_request: 'The request was not understood. Reload the page and try again.',
  not_found: 'That was not found. It may have been removed.',
  workspace_shredded: 'This workspace has been permanently deleted.',
  token_expired: 'That API token has expired. Create a new one.',
  session_required: 'Creating an API token needs you to be signed in to the console.',
  too_many_tokens:
    'You have 50 live API tokens in this workspace. Revoke one you no longer use first.',
  network: 'The server could not be reached. Check your connection and try again.',
  // Activity, credentials, keys.
  invalid_cursor: 'The list changed while you were paging. Reload the page and try again.',
  conflict:
    'That clashes with what is already there: the name may be in use, or it was already revoked or deleted. Reload and check.',
  key_unavailable:
    "This workspace's key cannot be opened right now. Try again later, or ask the operator.",
  config_invalid: 'The server is not set up for this yet. Ask the operator.',
  // Workrooms, conversations, messages and members.
  payload_too_large: 'That is too long to send. Shorten it and try again.',
  last_owner:
    'A workspace needs at least one owner. Make someone else an owner first, then try again.',
  decryption_failed: 'Some of this data could not be decrypted. Contact your workspace owner.',
  mail_refused: 'The mail server refused the email.',
  mail_timeout: 'The mail server did not answer in time.',
  mail_unavailable: 'Email is not set up on this server.',
  sso_not_configured: 'Single sign-on is not set up for that email or workspace.',
  sso_ambiguous:
    'Several workspaces use single sign-on for that email domain. Enter your workspace id instead.',
  sso_state_invalid: 'That sign-in expired or was already used. Start again.',
  sso_token_invalid: 'Your identity provider’s answer could not be verified. Try again.',
  sso_idp_error: 'Your identity provider did not complete the sign-in.',
  sso_idp_unavailable: 'Your identity provider could not be reached. Try again in a moment.',
  sso_email_unverified: 'Your identity provider has not verified your email address.',
  sso_domain_not_allowed:
    'Your email domain may not sign in to this workspace with single sign-on.',
  sso_no_membership: 'You are not a member of this workspace. Ask an admin to invite you.',
  sso_assertion_invalid: 'Your identity provider’s answer could not be verified. Try again.',
  sso_assertion_replayed: 'That sign-in was already used. Start again.',
  sso_required: 'This workspace requires signing in with single sign-on.',
  // Agents and their runs.
  budget_exceeded:
    'This would go over the workspace’s AI spending limit, so it was not sent. An admin can raise the limit on the Budgets page, or wait for the next day or month.',
  llm_key_suspended:
    'The AI key this needs was suspended because it spent far faster than usual. An owner can resume it on the Budgets page.',
  llm_region_blocked:
    'No AI provider is allowed for this workspace’s region, so nothing was sent. Ask the operator.',
  llm_rate_limited:
    'The AI provider is limiting calls with this key right now. Wait a minute, then try again.',
  llm_unauthorized:
    'The AI provider refused the workspace’s key. An admin should check the LLM keys page.',
  llm_upstream_error: 'The AI provider answered with an error. Try again in a moment.',
  llm_overloaded: 'The AI provider is overloaded right now. Try again in a moment.',
  llm_timeout: 'The AI provider did not answer in time. Try again.',
  llm_prompt_too_large: 'This conversation is too long to send to the agent.',
  llm_model_unpriced:
    'No price is known for that model, so its use cannot be kept within budget. Choose another model, or ask the operator to set its price.',
  // Privacy requests.
  privacy_transition_invalid:
    'That request cannot make that step from where it is now. Reload to see its current state.',
  privacy_extension_not_allowed:
    'That deadline cannot be extended: the law allows no extension for it, it was already extended, the first deadline has passed, or the request is closed.',
  confirmation_mismatch: 'What was typed does not match. Check it and try again.',
  deletion_confirmation_required:
    'A deletion request goes in progress only with its confirmation: use “Confirm the deletion”.',
  deletion_already_scheduled: 'A deletion is already scheduled for this person.',
  deletion_not_pending: 'That deletion is no longer pending: it was cancelled, or it has run.',
};

const fallback = 'Something went wrong on our side. Try again in a moment.';

/** The sentence for an error code (as in the sign-in page's `?error=<code>`). */
export function describeCode(code: string): string {
  return sentences[code] ?? fallback;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return sentences[error.code] ?? fallback;
  return fallback;
}
