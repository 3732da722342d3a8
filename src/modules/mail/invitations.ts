/**
 * The invitation email for the member routes (tenancy's `InvitationMailer`):
 * sent after the membership committed, then recorded in the workspace's
 * audit log. A failed send is reported, never thrown: the invitation stands.
 */
import { isAppError } from '../../base/errors.js';
import type { Database } from '../../db/database.js';
import type { Principal } from '../../db/principal.js';
import { recordMailSendFor } from './audit.js';
import type { Mailer } from './mailer.js';
import type { MailErrorCode } from './message.js';

export interface Invitation {
  readonly to: string;
  readonly language?: string | undefined;
  readonly inviterName: string;
  readonly workspaceName: string;
}

export interface InvitationResult {
  readonly sent: boolean;
  readonly error_code: MailErrorCode | null;
}

export function invitationMailer(
  db: Pick<Database, 'withTenant'>,
  mailer: Pick<Mailer, 'send'>,
): { sendInvitation(principal: Principal, invitation: Invitation): Promise<InvitationResult> } {
  return {
    async sendInvitation(principal, invitation) {
      let outcome;
      try {
        outcome = await mailer.send({
          to: invitation.to,
          template: 'invitation',
          language: invitation.language,
          data: { inviterName: invitation.inviterName, workspaceName: invitation.workspaceName },
        });
      } catch (error) {
        // A message the mailer will not build (validation_failed) sent nothing: the invitation stands.
        if (isAppError(error)) return { sent: false, error_code: 'mail_unavailable' };
        throw error;
      }
      await recordMailSendFor(db, principal, outcome);
      return { sent: outcome.status === 'delivered', error_code: outcome.code };
    },
  };
}
