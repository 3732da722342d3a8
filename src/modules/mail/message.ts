/**
 * What a caller sends: a recipient, a template, the recipient's language and
 * the template's data (typed per template), and what comes back. Checked
 * before anything is built, so a bad message sends nothing.
 */
import { z } from 'zod';
import { AppError } from '../../base/errors.js';
import type { TemplateData, TemplateName } from './templates/index.js';

/** The data a caller gives; the mailer adds what configuration knows (the console URL). */
export interface MessageData {
  readonly sign_in_code: TemplateData['sign_in_code'];
  readonly invitation: Omit<TemplateData['invitation'], 'consoleUrl'>;
  readonly llm_budget_soft_limit: TemplateData['llm_budget_soft_limit'];
  readonly llm_key_suspended: TemplateData['llm_key_suspended'];
  readonly privacy_optout_code: TemplateData['privacy_optout_code'];
  readonly privacy_optout_confirmed: TemplateData['privacy_optout_confirmed'];
  readonly privacy_request_reminder: TemplateData['privacy_request_reminder'];
  readonly privacy_export_ready: TemplateData['privacy_export_ready'];
  readonly account_deletion_scheduled: Omit<
    TemplateData['account_deletion_scheduled'],
    'consoleUrl'
  >;
  readonly account_deletion_cancelled: TemplateData['account_deletion_cancelled'];
  readonly account_deletion_receipt: TemplateData['account_deletion_receipt'];
  readonly workspace_purge_warning: TemplateData['workspace_purge_warning'];
  readonly workspace_purge_receipt: TemplateData['workspace_purge_receipt'];
}

export type MailMessage = {
  readonly [K in TemplateName]: {
    readonly to: string;
    readonly template: K;
    /** A language code such as `en` or `fr-CA`; unknown or absent: English. */
    readonly language?: string | undefined;
    readonly data: MessageData[K];
  };
}[TemplateName];

export type MailErrorCode = 'mail_refused' | 'mail_timeout' | 'mail_unavailable';

export interface MailOutcome {
  readonly status: 'delivered' | 'refused' | 'timeout' | 'failed';
  /** Null when delivered. */
  readonly code: MailErrorCode | null;
  readonly template: TemplateName;
  /** The part of the address after the last `@`, lower case: all the audit log keeps. */
  readonly recipientDomain: string;
  readonly transport: 'smtp' | 'outbox';
}

const text = z.string().max(500);
const usd = z.string().regex(/^[0-9]{1,12}\.[0-9]{2}$/, 'dollars with two decimals');
const schemas: { readonly [K in TemplateName]: z.ZodType<MessageData[K]> } = {
  sign_in_code: z.strictObject({
    code: z.string().regex(/^[0-9]{6}$/, 'six digits'),
    validMinutes: z.number().int().min(1).max(1440),
  }),
  invitation: z.strictObject({ inviterName: text, workspaceName: text }),
  llm_budget_soft_limit: z.strictObject({
    workspaceId: z.uuid(),
    scope: text,
    period: z.enum(['day', 'month']),
    spentUsd: usd,
    softLimitUsd: usd,
    hardLimitUsd: usd,
  }),
  llm_key_suspended: z.strictObject({
    workspaceId: z.uuid(),
    key: text,
    windowMinutes: z.number().int().min(1).max(1440),
    spentUsd: usd,
    thresholdUsd: usd,
  }),
  privacy_request_reminder: z.strictObject({
    workspaceId: z.uuid(),
    overdue: z.number().int().min(0).max(1_000_000),
    nearDue: z.number().int().min(0).max(1_000_000),
    earliestDueOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD'),
  }),
  privacy_optout_code: z.strictObject({
    code: z.string().regex(/^[0-9]{6}$/, 'six digits'),
    validMinutes: z.number().int().min(1).max(1440),
  }),
  privacy_optout_confirmed: z.strictObject({
    deleteBy: z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'a date'),
  }),
  privacy_export_ready: z.strictObject({
    workspaceName: text,
    form: z.enum(['snapshot', 'readable']),
    url: z.url({ protocol: /^https?$/ }).max(2000),
    expiresAt: z.iso.datetime(),
  }),
  account_deletion_scheduled: z.strictObject({ runsAfter: z.iso.datetime() }),
  account_deletion_cancelled: z.strictObject({ by: z.enum(['you', 'the workspace']) }),
  account_deletion_receipt: z.strictObject({
    completedAt: z.iso.datetime(),
    reference: z.uuid(),
    workspaces: z.number().int().min(0).max(1_000_000),
    revokedSessions: z.number().int().min(0).max(1_000_000),
    revokedTokens: z.number().int().min(0).max(1_000_000),
  }),
  workspace_purge_warning: z.strictObject({
    workspaceName: text,
    workspaceId: z.uuid(),
    daysBefore: z.union([z.literal(7), z.literal(1)]),
    purgeAt: z.iso.datetime(),
  }),
  workspace_purge_receipt: z.strictObject({
    workspaceId: z.uuid(),
    receiptId: z.uuid(),
    shreddedAt: z.iso.datetime(),
    keyVersions: z.number().int().min(0).max(1_000_000),
    objectsDeleted: z.number().int().min(0),
    receiptJson: z.string().max(20_000),
  }),
};
const envelope = z.object({
  to: z.email().max(320),
  language: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a language code such as en or fr-CA')
    .max(35)
    .optional(),
});

/** Throws `validation_failed` (naming the field, never its value) for a message that cannot be sent. */
export function checkMessage(message: MailMessage): void {
  if (!Object.hasOwn(schemas, message.template)) {
    throw new AppError('validation_failed', 'Unknown email template');
  }
  const problems = [
    ...(envelope.safeParse(message).error?.issues ?? []),
    ...(schemas[message.template].safeParse(message.data).error?.issues.map((i) => ({
      ...i,
      path: ['data', ...i.path],
    })) ?? []),
  ];
  if (problems.length > 0) {
    const list = problems.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('validation_failed', `Email not sent: ${list}`);
  }
}

export function recipientDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
