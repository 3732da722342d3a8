/**
 * Email sign-in: start (a one-time code for a known address, mailed through
 * the SignInCodeSender port) and verify (the code for a new session). Both
 * run through the narrow definer functions of migration 013; the code and
 * the session token never leave this process except in the email and the
 * cookie. Every verify of a known person writes an audit event, success or
 * failure, in each workspace they belong to, as that person.
 */
import { AppError } from '../../base/errors.js';
import type { Database } from '../../db/database.js';
import { userPrincipal, type RequestOrigin } from '../../db/principal.js';
import { recordEvent } from '../audit/index.js';
import {
  codeHmac,
  csrfToken,
  newCode,
  newSessionToken,
  normalizeEmail,
  sessionHash,
} from './secrets.js';

/** The port through which a code reaches the person (the mail module implements it). */
export interface SignInCodeSender {
  sendCode(message: SignInCodeMessage): Promise<void>;
}

/** A code to send, and to whom: the person's live workspaces, where the send is audited. */
export interface SignInCodeMessage {
  readonly to: string;
  readonly code: string;
  readonly validMinutes: number;
  readonly language: string;
  readonly userId: string;
  readonly workspaces: readonly string[];
  readonly origin: RequestOrigin;
}

export interface AuthSettings {
  /** Seconds a code is valid (600). */
  readonly codeTtlSeconds: number;
  /** Wrong codes before a new one is needed (5). */
  readonly maxAttempts: number;
  readonly sessionIdleSeconds: number;
  readonly sessionLifetimeSeconds: number;
}

export interface AuthDeps {
  readonly db: Pick<Database, 'withSystem' | 'withTenant'>;
  readonly secret: Buffer;
  readonly sender: SignInCodeSender;
  readonly settings: AuthSettings;
  /** Told when sending a code fails (the answer has already gone out). */
  readonly onSendError?: (error: unknown) => void;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  codeTtlSeconds: 600,
  maxAttempts: 5,
  sessionIdleSeconds: 12 * 3600,
  sessionLifetimeSeconds: 14 * 86400,
};

/**
 * Stores a new code for a known address and sends it without waiting; an
 * unknown address takes the same steps (HMAC, one definer call) and gets
 * nothing. The caller answers the same either way.
 */
export async function startSignIn(
  deps: AuthDeps,
  email: string,
  origin: RequestOrigin,
): Promise<void> {
  const code = newCode();
  const hmac = codeHmac(deps.secret, email, code);
  const known = (
    await deps.db.withSystem('auth: start email sign-in', (tx) =>
      tx.call('auth_start_code', normalizeEmail(email), hmac, deps.settings.codeTtlSeconds),
    )
  )[0] as { user_id: string; language: string | null; workspaces: string[] } | null | undefined;
  if (known === null || known === undefined) return;
  // Not awaited: the answer must not wait on (or time) the mail. A sender
  // that throws at once is caught the same way.
  Promise.resolve()
    .then(() =>
      deps.sender.sendCode({
        to: normalizeEmail(email),
        code,
        validMinutes: Math.ceil(deps.settings.codeTtlSeconds / 60),
        language: known.language ?? 'en',
        userId: known.user_id,
        workspaces: known.workspaces,
        origin,
      }),
    )
    .catch((error: unknown) => {
      deps.onSendError?.(error);
    });
}

export interface SignedIn {
  readonly user: { readonly id: string; readonly email: string };
  readonly token: string;
  readonly csrfToken: string;
}

interface VerifyResult {
  readonly status: 'ok' | 'invalid' | 'expired' | 'exceeded';
  readonly user_id?: string;
  readonly email?: string;
  readonly workspaces?: string[];
}

const FAILURES = {
  invalid: ['code_invalid', 'The code is wrong, or there is no code for this address'],
  expired: ['code_expired', 'The code has expired: ask for a new one'],
  exceeded: ['code_attempts_exceeded', 'Too many wrong codes: ask for a new one'],
} as const;

/** Checks a code; on success a new session exists and its token is returned. */
export async function verifySignIn(
  deps: AuthDeps,
  input: { email: string; code: string },
  origin: RequestOrigin,
): Promise<SignedIn> {
  const token = newSessionToken();
  const { settings } = deps;
  const result = (
    await deps.db.withSystem('auth: verify email sign-in', (tx) =>
      tx.call(
        'auth_verify_code',
        normalizeEmail(input.email),
        codeHmac(deps.secret, input.email, input.code),
        settings.maxAttempts,
        sessionHash(token),
        origin.userAgent ?? null,
        settings.sessionLifetimeSeconds,
        settings.sessionIdleSeconds,
      ),
    )
  )[0] as VerifyResult;
  if (result.user_id !== undefined) {
    await recordSignIn(deps.db, result.user_id, result.workspaces ?? [], origin, result.status);
  }
  if (result.status !== 'ok' || result.user_id === undefined || result.email === undefined) {
    const [code, message] = FAILURES[result.status === 'ok' ? 'invalid' : result.status];
    throw new AppError(code, message);
  }
  return {
    user: { id: result.user_id, email: result.email },
    token,
    csrfToken: csrfToken(deps.secret, token),
  };
}

/** `auth.sign_in.succeeded` or `.failed` (with the reason) in each of the person's workspaces. */
async function recordSignIn(
  db: Pick<Database, 'withTenant'>,
  userId: string,
  workspaces: readonly string[],
  origin: RequestOrigin,
  status: VerifyResult['status'],
): Promise<void> {
  const event =
    status === 'ok'
      ? { action: 'auth.sign_in.succeeded', metadata: { method: 'email_code' } }
      : {
          action: 'auth.sign_in.failed',
          metadata: { method: 'email_code', reason: FAILURES[status][0] },
        };
  for (const workspace of workspaces) {
    await db.withTenant(userPrincipal(workspace, userId, origin), async (tx) => {
      await recordEvent(tx, { ...event, targets: [{ type: 'user', id: userId }] });
    });
  }
}
