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
  csrf_failed: 'Your session could not be confirmed. Reload the page and try again.',
  unauthenticated: 'You are not signed in, or your session has ended. Sign in again.',
  forbidden: 'You do not have permission to do that.',
  validation_failed: 'Some of what you entered is not valid. Check it and try again.',
  bad_request: 'The request was not understood. Reload the page and try again.',
  not_found: 'That was not found. It may have been removed.',
  workspace_shredded: 'This workspace has been permanently deleted.',
  network: 'The server could not be reached. Check your connection and try again.',
};

const fallback = 'Something went wrong on our side. Try again in a moment.';

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return sentences[error.code] ?? fallback;
  return fallback;
}
