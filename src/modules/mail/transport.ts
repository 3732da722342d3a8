/**
 * The two ways an email leaves: SMTP (nodemailer) when WARDROOM_SMTP_URL is
 * set, else an `.eml` file in the outbox folder. Both build the message with
 * nodemailer, so the outbox file is exactly what SMTP would have carried.
 *
 * SMTP to a host that is not this machine must be encrypted: `smtps://` is
 * TLS from the first byte, and `smtp://` requires STARTTLS (nodemailer's
 * `requireTLS`), so a server (or a man in the middle) that does not offer it
 * gets neither the credentials nor the message. Certificates and host names
 * are always verified, against WARDROOM_SMTP_CA_FILE when set. On loopback,
 * plain SMTP is allowed (a local relay), and STARTTLS is still used if offered.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { MailConfig } from '../../base/config.js';
import { AppError } from '../../base/errors.js';
import { isLoopbackHost } from '../../base/net.js';

export interface Envelope {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface Transport {
  readonly kind: 'smtp' | 'outbox';
  /** Where mail goes, safe to log: `smtp://host:port` or the outbox folder. */
  readonly description: string;
  /** Resolves with the outbox file's path (outbox) or undefined (SMTP). */
  send(envelope: Envelope): Promise<string | undefined>;
  close(): void;
}

export function createTransport(config: MailConfig): Transport {
  return config.smtp === undefined
    ? outboxTransport(config.outboxDir)
    : smtpTransport(config.smtp.url.reveal(), config.smtp.caFile, config.timeoutMs);
}

/** nodemailer SMTP options from the URL; exported for the tests of the TLS rule. */
export function smtpOptions(
  url: string,
  caFile: string | undefined,
  timeoutMs: number,
): SMTPTransport.Options {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  const ca = caFile === undefined ? undefined : readCa(caFile);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port === '' ? (secure ? 465 : 587) : Number(u.port),
    secure,
    // Off this machine, no plaintext: STARTTLS or nothing.
    requireTLS: !secure && !isLoopbackHost(u.hostname),
    tls: {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(ca === undefined ? {} : { ca }),
    },
    ...(u.username === ''
      ? {}
      : {
          auth: {
            user: decodeURIComponent(u.username),
            pass: decodeURIComponent(u.password),
          },
        }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  };
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('config_invalid', `WARDROOM_SMTP_CA_FILE cannot be read: ${file}`, {
      cause: error,
    });
  }
}

function smtpTransport(url: string, caFile: string | undefined, timeoutMs: number): Transport {
  const options = smtpOptions(url, caFile, timeoutMs);
  const transporter = nodemailer.createTransport(options);
  const host = options.host?.includes(':') === true ? `[${options.host}]` : options.host;
  return {
    kind: 'smtp',
    description: `${url.startsWith('smtps:') ? 'smtps' : 'smtp'}://${host}:${options.port}`,
    async send(envelope) {
      const info = await transporter.sendMail({ ...envelope });
      if (info.rejected.length > 0) {
        throw Object.assign(new Error('recipient rejected'), {
          code: 'EENVELOPE',
          responseCode: 550,
        });
      }
      return undefined;
    },
    close: () => transporter.close(),
  };
}

function outboxTransport(dir: string): Transport {
  const builder = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });
  return {
    kind: 'outbox',
    description: dir,
    async send(envelope) {
      const info = await builder.sendMail({ ...envelope });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // mkdir's mode applies only to a folder it creates, and through the umask.
      await chmod(dir, 0o700);
      const file = path.join(
        dir,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`,
      );
      await writeFile(file, info.message, { mode: 0o600, flag: 'wx' });
      return file;
    },
    close: () => undefined,
  };
}
