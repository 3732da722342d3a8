/**
 * Without WARDROOM_SMTP_URL each email is an `.eml` file in the outbox:
 * built by nodemailer, readable by a mail parser, mode 0600 in a 0700
 * folder, and the log gives its path and nothing of its content.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/base/config.js';
import { createLogger } from '../../src/base/logger.js';
import { createMailer } from '../../src/modules/mail/index.js';
import { memoryStream } from '../support/log-capture.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'wardroom-outbox-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('mail outbox', () => {
  it('writes a parseable .eml, 0600 in a 0700 folder, and logs only its path', async () => {
    const log = memoryStream();
    const config = loadConfig({ WARDROOM_DATA_DIR: dataDir });
    const mailer = createMailer(config.mail, createLogger('trace', log));
    const outcome = await mailer.send({
      to: 'carol.private@example.test',
      template: 'sign_in_code',
      language: 'en',
      data: { code: '804213', validMinutes: 15 },
    });
    expect(outcome).toEqual({
      status: 'delivered',
      code: null,
      template: 'sign_in_code',
      recipientDomain: 'example.test',
      transport: 'outbox',
    });
    const dir = path.join(dataDir, 'outbox');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const file = path.join(dir, files[0] ?? '');
    expect(file).toMatch(/\.eml$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const mail = await simpleParser(readFileSync(file));
    expect(mail.subject).toBe('Your Wardroom sign-in code: 804213');
    expect(mail.text).toContain('804213');
    expect(mail.html).toContain('804213');
    expect(mail.from?.text).toContain('wardroom@localhost');
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    expect(to?.text).toBe('carol.private@example.test');
    const text = log.lines.join('\n');
    expect(text).toContain(JSON.stringify(file));
    expect(text).not.toContain('804213');
    expect(text).not.toContain('carol.private');
    mailer.close();
  });
});
