/**
 * The sign-in code email (the auth module's `SignInCodeSender` port): sent
 * outside any transaction, then recorded in the audit log of each of the
 * person's workspaces as that person. A failed send is recorded and
 * reported to the caller (which has already answered the request).
 */
import type { Database } from '../../db/database.js';
import { userPrincipal, type RequestOrigin } from '../../db/principal.js';
import { AppError } from '../../base/errors.js';
import { recordMailSendFor } from './audit.js';
import type { Mailer } from './mailer.js';

/** The same shape as auth's SignInCodeMessage: mail does not import auth. */
export interface SignInCode {
  readonly to: string;
  readonly code: string;
  readonly validMinutes: number;
  readonly language: string;
  readonly userId: string;
  readonly workspaces: readonly string[];
  readonly origin: RequestOrigin;
}

export function signInCodeMailer(
  db: Pick<Database, 'withTenant'>,
  mailer: Pick<Mailer, 'send'>,
): { sendCode(message: SignInCode): Promise<void> } {
  return {
    async sendCode(message) {
      const outcome = await mailer.send({
        to: message.to,
        template: 'sign_in_code',
        language: message.language,
        data: { code: message.code, validMinutes: message.validMinutes },
      });
      for (const workspace of message.workspaces) {
        await recordMailSendFor(
          db,
          userPrincipal(workspace, message.userId, message.origin),
          outcome,
        );
      }
      if (outcome.code !== null) {
        throw new AppError(outcome.code, `The sign-in code email was not sent (${outcome.status})`);
      }
    },
  };
}
