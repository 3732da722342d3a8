/**
 * The per-recipient opt-out: anyone may ask for an address to be forgotten
 * as a contact in every workspace, by proving they read its mail.
 *
 * - start: stores the keyed hash of a new six-digit code under the address
 *   hash (replacing any earlier code) and emails the code. The answer is the
 *   same for every address: nothing says whether any workspace holds it.
 * - confirm: checks the code (single use, expiry, attempt limit, as sign-in
 *   codes); on success the suppression entry (keyed hash only) exists from
 *   that moment, so no workspace can create or import the address again; the
 *   deletion of every contact with it is scheduled at once, or after
 *   WARDROOM_OPTOUT_DELAY_DAYS (at most 45), and the person is emailed a
 *   confirmation with that date.
 *
 * The address itself is used in this process only: to hash, and to mail. No
 * table, job, log line or audit event holds it.
 */
import { randomInt } from 'node:crypto';
import { AppError } from '../../base/errors.js';
import type { Database } from '../../db/database.js';
import { addressHash, optOutCodeHmac, type PrivacyKeys } from './blind-index.js';

/** The port through which opt-out emails reach the person (the mail module implements it). */
export interface OptOutMailer {
  sendCode(message: { to: string; code: string; validMinutes: number }): Promise<void>;
  sendConfirmation(message: { to: string; deleteBy: Date }): Promise<void>;
}

/** Runs the deletion of a suppression's contacts at `dueAt` (a pg-boss job in the server). */
export interface OptOutScheduler {
  schedule(suppressionId: string, dueAt: Date): Promise<void>;
}

export interface OptOutSettings {
  /** Seconds a code is valid (600). */
  readonly codeTtlSeconds: number;
  /** Wrong codes before a new one is needed (5). */
  readonly maxAttempts: number;
  /** Days between confirmation and deletion, 0..45 (0). */
  readonly delayDays: number;
}

export const DEFAULT_OPTOUT_SETTINGS: OptOutSettings = {
  codeTtlSeconds: 600,
  maxAttempts: 5,
  delayDays: 0,
};

export interface OptOutDeps {
  readonly db: Pick<Database, 'withSystem'>;
  readonly keys: PrivacyKeys;
  readonly mailer: OptOutMailer;
  readonly scheduler: OptOutScheduler;
  readonly settings: OptOutSettings;
  /** Told when an email fails after the answer went out (never with the address). */
  readonly onError?: (error: unknown) => void;
}

/** Stores a new code and emails it without waiting: the answer never depends on the address. */
export async function startOptOut(deps: OptOutDeps, email: string): Promise<void> {
  const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
  const address = addressHash(deps.keys, email);
  await deps.db.withSystem('privacy: start opt-out', (tx) =>
    tx.call(
      'privacy_optout_start',
      address,
      optOutCodeHmac(deps.keys, address, code),
      deps.settings.codeTtlSeconds,
    ),
  );
  Promise.resolve()
    .then(() =>
      deps.mailer.sendCode({
        to: email.trim(),
        code,
        validMinutes: Math.ceil(deps.settings.codeTtlSeconds / 60),
      }),
    )
    .catch((error: unknown) => deps.onError?.(error));
}

interface VerifyResult {
  readonly status: 'ok' | 'invalid' | 'expired' | 'exceeded';
  readonly suppression_id?: string;
  readonly due_at?: string;
  readonly applied?: boolean;
}

const FAILURES = {
  invalid: ['code_invalid', 'The code is wrong, or there is no code for this address'],
  expired: ['code_expired', 'The code has expired: ask for a new one'],
  exceeded: ['code_attempts_exceeded', 'Too many wrong codes: ask for a new one'],
} as const;

export interface OptOutConfirmed {
  /** When every contact record with the address is deleted, at the latest. */
  readonly deleteBy: Date;
}

/** Checks the code; on success the address is suppressed and its deletion scheduled. */
export async function confirmOptOut(
  deps: OptOutDeps,
  input: { email: string; code: string },
): Promise<OptOutConfirmed> {
  const address = addressHash(deps.keys, input.email);
  const result = (
    await deps.db.withSystem('privacy: confirm opt-out', (tx) =>
      tx.call(
        'privacy_optout_verify',
        address,
        optOutCodeHmac(deps.keys, address, input.code),
        deps.settings.maxAttempts,
        deps.settings.delayDays,
      ),
    )
  )[0] as VerifyResult;
  if (result.status !== 'ok' || result.suppression_id === undefined) {
    const [code, message] = FAILURES[result.status === 'ok' ? 'invalid' : result.status];
    throw new AppError(code, message);
  }
  const deleteBy = new Date(result.due_at ?? Date.now());
  if (result.applied !== true) await deps.scheduler.schedule(result.suppression_id, deleteBy);
  Promise.resolve()
    .then(() => deps.mailer.sendConfirmation({ to: input.email.trim(), deleteBy }))
    .catch((error: unknown) => deps.onError?.(error));
  return { deleteBy };
}
