/**
 * The mail module's public face: outbound email (SMTP, or `.eml` files in
 * the outbox), its templates, and the audit record of each send.
 */
export { createMailer, type Mailer, type MailLogger } from './mailer.js';
export type { MailErrorCode, MailMessage, MailOutcome, MessageData } from './message.js';
export { MAIL_SEND_ACTION, recordMailSend, recordMailSendFor } from './audit.js';
export { invitationMailer, type Invitation, type InvitationResult } from './invitations.js';
export { signInCodeMailer, type SignInCode } from './sign-in-codes.js';
export { optOutMailer, type OptOutMail } from './opt-out.js';
export { TEMPLATE_NAMES, type TemplateData, type TemplateName } from './templates/index.js';
export {
  exportMailer,
  type ExportMailer,
  type ExportMailResult,
  type ExportReady,
} from './exports.js';
