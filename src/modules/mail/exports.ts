/**
 * The export-ready email (the privacy module's `ExportMailer` port): the
 * signed link to a finished workspace export, sent to whoever asked for it,
 * then recorded in the workspace's audit log (domain only). A failed send is
 * reported, never thrown: the export stands and the API returned its link.
 */
import { isAppError } from '../../base/errors.js';
import type { Database } from '../../db/database.js';
import type { Principal } from '../../db/principal.js';
import { recordMailSendFor } from './audit.js';
import type { Mailer } from './mailer.js';
import type { MailErrorCode } from './message.js';

export interface ExportReady {
  readonly to: string;
  readonly workspaceName: string;
  readonly form: 'snapshot' | 'readable';
  readonly url: string;
  readonly expiresAt: Date;
}

export interface ExportMailResult {
  readonly sent: boolean;
  readonly error_code: MailErrorCode | null;
}

export interface ExportMailer {
  sendExportReady(principal: Principal, message: ExportReady): Promise<ExportMailResult>;
}

export function exportMailer(
  db: Pick<Database, 'withTenant'>,
  mailer: Pick<Mailer, 'send'>,
): ExportMailer {
  return {
    async sendExportReady(principal, message) {
      let outcome;
      try {
        outcome = await mailer.send({
          to: message.to,
          template: 'privacy_export_ready',
          data: {
            workspaceName: message.workspaceName,
            form: message.form,
            url: message.url,
            expiresAt: message.expiresAt.toISOString(),
          },
        });
      } catch (error) {
        if (isAppError(error)) return { sent: false, error_code: 'mail_unavailable' };
        throw error;
      }
      await recordMailSendFor(db, principal, outcome);
      return { sent: outcome.status === 'delivered', error_code: outcome.code };
    },
  };
}
