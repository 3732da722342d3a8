/**
 * `createMailer(config, logger)`: renders a template in the recipient's
 * language and sends it, and says how it went as a `MailOutcome` with a
 * stable code; it never throws for a failed send, only for a message that is
 * not valid (`validation_failed`, nothing sent). The log gets the template,
 * the recipient's domain, the outcome and, for the outbox, the file's path:
 * never an address's local part, a body, a code or a link.
 */
import type { Logger } from 'pino';
import type { MailConfig } from '../../base/config.js';
import { checkMessage, recipientDomain, type MailMessage, type MailOutcome } from './message.js';
import { classify } from './outcome.js';
import { render, type TemplateData, type TemplateName } from './templates/index.js';
import { createTransport, type Transport } from './transport.js';

export interface Mailer {
  /** Where mail goes, safe to log: `smtp://host:port` (never the credentials) or the outbox folder. */
  readonly description: string;
  send(message: MailMessage): Promise<MailOutcome>;
  close(): void;
}

export type MailLogger = Pick<Logger, 'info' | 'warn'>;

export function createMailer(config: MailConfig, logger: MailLogger): Mailer {
  const transport = createTransport(config);
  return {
    description: transport.description,
    async send(message) {
      checkMessage(message);
      const { subject, text, html } = renderMessage(config, message);
      const base = {
        template: message.template,
        recipientDomain: recipientDomain(message.to),
        transport: transport.kind,
      } as const;
      const envelope = { from: config.from, to: message.to, subject, text, html };
      try {
        const file = await withDeadline(transport.send(envelope), config.timeoutMs);
        const outcome: MailOutcome = { ...base, status: 'delivered', code: null };
        logger.info({ ...logged(outcome), ...(file === undefined ? {} : { file }) }, 'email sent');
        return outcome;
      } catch (error) {
        const failure = classify(error);
        const outcome: MailOutcome = { ...base, status: failure.status, code: failure.code };
        logger.warn({ ...logged(outcome), reason: failure.reason }, 'email not sent');
        return outcome;
      }
    },
    close: () => transport.close(),
  };
}

function renderMessage(config: MailConfig, message: MailMessage) {
  if (message.template === 'invitation') {
    const data: TemplateData['invitation'] = { ...message.data, consoleUrl: config.publicUrl };
    return render('invitation', message.language, data);
  }
  if (message.template === 'account_deletion_scheduled') {
    const data: TemplateData['account_deletion_scheduled'] = {
      ...message.data,
      consoleUrl: `${config.publicUrl.replace(/\/$/, '')}/app/account`,
    };
    return render('account_deletion_scheduled', message.language, data);
  }
  return render<TemplateName>(message.template, message.language, message.data);
}

function logged(outcome: MailOutcome) {
  return {
    template: outcome.template,
    recipient_domain: outcome.recipientDomain,
    status: outcome.status,
    code: outcome.code,
  };
}

/** Rejects with a timeout when `promise` has not settled in `ms` (nodemailer's own timeouts come first). */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('deadline'), { code: 'ETIMEDOUT' })),
      ms + 1000,
    );
    timer.unref();
  });
  // A send that settles after the deadline must not become an unhandled rejection.
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export type { Transport };
