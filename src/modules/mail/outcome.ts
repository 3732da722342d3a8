/**
 * A failed send, sorted into the stable codes. Only nodemailer's error code
 * and the SMTP reply's number are looked at and logged: the server's reply
 * text can echo the address, so it is never kept.
 *
 * - `mail_refused`: the server answered 5xx (a rejected recipient, sender or
 *   message): retrying the same email will not help.
 * - `mail_timeout`: no answer within WARDROOM_MAIL_TIMEOUT_MS.
 * - `mail_unavailable`: anything else: no connection, TLS refused or not
 *   verified, authentication failed, a 4xx (try later), the outbox not writable.
 */
import type { MailErrorCode, MailOutcome } from './message.js';

export interface Failure {
  readonly status: Exclude<MailOutcome['status'], 'delivered'>;
  readonly code: MailErrorCode;
  /** Safe to log: nodemailer's code and the SMTP reply number. */
  readonly reason: string;
}

export function classify(error: unknown): Failure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : 'unknown';
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reason = reply === undefined ? code : `${code} ${reply}`;
  if (code === 'ETIMEDOUT') return { status: 'timeout', code: 'mail_timeout', reason };
  // Only a refusal of the envelope or the message itself; a 5xx to STARTTLS or AUTH is not.
  if (reply !== undefined && reply >= 500 && (code === 'EENVELOPE' || code === 'EMESSAGE')) {
    return { status: 'refused', code: 'mail_refused', reason };
  }
  return { status: 'failed', code: 'mail_unavailable', reason };
}
