/**
 * The opt-out emails (the contacts module's `OptOutMailer` port): the code,
 * and the confirmation with the deletion date. Neither is recorded in an
 * audit log: an opt-out belongs to no workspace, and a record anywhere would
 * have to name the address. The mailer's log line keeps only the domain.
 * A failed send is reported to the caller (which has already answered).
 */
import { AppError } from '../../base/errors.js';
import type { Mailer } from './mailer.js';
import type { MailOutcome } from './message.js';

/** The same shape as contacts' OptOutMailer: mail does not import contacts. */
export interface OptOutMail {
  sendCode(message: { to: string; code: string; validMinutes: number }): Promise<void>;
  sendConfirmation(message: { to: string; deleteBy: Date }): Promise<void>;
}

function check(outcome: MailOutcome): void {
  if (outcome.code !== null) {
    throw new AppError(outcome.code, `The opt-out email was not sent (${outcome.status})`);
  }
}

export function optOutMailer(mailer: Pick<Mailer, 'send'>): OptOutMail {
  return {
    async sendCode(message) {
      check(
        await mailer.send({
          to: message.to,
          template: 'privacy_optout_code',
          data: { code: message.code, validMinutes: message.validMinutes },
        }),
      );
    },
    async sendConfirmation(message) {
      check(
        await mailer.send({
          to: message.to,
          template: 'privacy_optout_confirmed',
          data: { deleteBy: message.deleteBy.toISOString().slice(0, 10) },
        }),
      );
    },
  };
}
