/**
 * The mailer against a real SMTP server in the test process: what arrives
 * (parsed with mailparser), the stable codes of a refusal and of a server
 * that never answers, the TLS rule off loopback, and what the log may say.
 */
import { networkInterfaces } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/base/config.js';
import { createLogger } from '../../src/base/logger.js';
import { createMailer, type Mailer, type MailMessage } from '../../src/modules/mail/index.js';
import { memoryStream } from '../support/log-capture.js';
import { startSilentServer, startSmtp, type TestSmtp } from '../support/smtp.js';
import { makeTestCa, type TestCa } from '../support/tls-certs.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'wardroom-mail-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function mailerFor(env: Record<string, string>): { mailer: Mailer; log: string[] } {
  const log = memoryStream();
  const config = loadConfig({ WARDROOM_DATA_DIR: dataDir, ...env });
  return { mailer: createMailer(config.mail, createLogger('trace', log)), log: log.lines };
}

const code = (n: string): MailMessage => ({
  to: 'alice.secret-local@example.test',
  template: 'sign_in_code',
  data: { code: n, validMinutes: 10 },
});

describe('mail over SMTP', () => {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtp({
      reject: ['nobody@example.test'],
      auth: { user: 'mailer', pass: 'p@ss:w/rd-s3cret' },
    });
  });
  afterAll(() => smtp.close());
  const url = () =>
    `smtp://mailer:${encodeURIComponent('p@ss:w/rd-s3cret')}@127.0.0.1:${smtp.port}`;

  it('delivers the sign-in code as text and HTML, and logs neither code, address nor password', async () => {
    const { mailer, log } = mailerFor({
      WARDROOM_SMTP_URL: url(),
      WARDROOM_MAIL_FROM: 'Wardroom <no-reply@wardroom.test>',
    });
    // What the server logs at start: where mail goes, without the credentials.
    expect(mailer.description).toBe(`smtp://127.0.0.1:${smtp.port}`);
    const outcome = await mailer.send(code('493817'));
    expect(outcome).toEqual({
      status: 'delivered',
      code: null,
      template: 'sign_in_code',
      recipientDomain: 'example.test',
      transport: 'smtp',
    });
    const got = smtp.received.at(-1);
    expect(got?.to).toEqual(['alice.secret-local@example.test']);
    expect(got?.from).toBe('no-reply@wardroom.test');
    expect(got?.mail.subject).toBe('Your Wardroom sign-in code: 493817');
    expect(got?.mail.text).toContain('493817');
    expect(got?.mail.text).toContain('valid for 10 minutes');
    expect(got?.mail.html).toContain('<strong>493817</strong>');
    expect(got?.mail.html).not.toMatch(/<a\s/);
    const text = log.join('\n');
    expect(text).toContain('"status":"delivered"');
    for (const secret of [
      '493817',
      'alice.secret-local',
      'p@ss',
      's3cret',
      encodeURIComponent('p@ss:w/rd-s3cret'),
    ]) {
      expect(text).not.toContain(secret);
    }
    mailer.close();
  });

  it('escapes a hostile workspace name in HTML and keeps line breaks out of the subject and text', async () => {
    const { mailer } = mailerFor({
      WARDROOM_SMTP_URL: url(),
      WARDROOM_PUBLIC_URL: 'https://wardroom.example.test/',
    });
    const hostile = '<script>alert(1)</script> & "Co"\r\nBcc: victim@evil.test';
    const outcome = await mailer.send({
      to: 'bob@example.test',
      template: 'invitation',
      language: 'de-AT',
      data: { inviterName: '<img src=x onerror=alert(2)>', workspaceName: hostile },
    });
    expect(outcome.status).toBe('delivered');
    const got = smtp.received.at(-1);
    expect(got?.to).toEqual(['bob@example.test']);
    const html = got?.mail.html === false ? '' : (got?.mail.html ?? '');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
    expect(html).toContain('href="https://wardroom.example.test"');
    // Unknown language (de-AT): English.
    expect(got?.mail.subject).toContain('invited you to');
    expect(got?.mail.subject).not.toMatch(/[\r\n]/);
    expect(got?.mail.headers.has('bcc')).toBe(false);
    expect(got?.raw).not.toMatch(/^Bcc:/im);
    expect(got?.mail.text).toContain('https://wardroom.example.test');
    expect(got?.mail.text).not.toMatch(/\nBcc:/);
    mailer.close();
  });

  it('answers a rejected recipient with mail_refused, and the server keeps nothing', async () => {
    const { mailer, log } = mailerFor({ WARDROOM_SMTP_URL: url() });
    const before = smtp.received.length;
    const outcome = await mailer.send({ ...code('111222'), to: 'nobody@example.test' });
    expect(outcome).toMatchObject({ status: 'refused', code: 'mail_refused' });
    expect(smtp.received.length).toBe(before);
    expect(log.join('\n')).not.toContain('111222');
    expect(log.join('\n')).not.toContain('nobody@');
    mailer.close();
  });

  it('answers wrong credentials with mail_unavailable', async () => {
    const { mailer } = mailerFor({
      WARDROOM_SMTP_URL: `smtp://mailer:wrong@127.0.0.1:${smtp.port}`,
    });
    const before = smtp.received.length;
    expect(await mailer.send(code('333444'))).toMatchObject({
      status: 'failed',
      code: 'mail_unavailable',
    });
    expect(smtp.received.length).toBe(before);
    mailer.close();
  });

  it('refuses a bad message with validation_failed before connecting', async () => {
    const { mailer } = mailerFor({ WARDROOM_SMTP_URL: url() });
    const attempts = smtp.attempts.length;
    await expect(mailer.send(code('12345'))).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(mailer.send({ ...code('123456'), to: 'not an address' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    expect(smtp.attempts.length).toBe(attempts);
    mailer.close();
  });
});

describe('mail timeout', () => {
  it('answers a server that never speaks with mail_timeout', async () => {
    const silent = await startSilentServer();
    const { mailer, log } = mailerFor({
      WARDROOM_SMTP_URL: `smtp://127.0.0.1:${silent.port}`,
      WARDROOM_MAIL_TIMEOUT_MS: '1000',
    });
    try {
      expect(await mailer.send(code('555666'))).toMatchObject({
        status: 'timeout',
        code: 'mail_timeout',
      });
      expect(log.join('\n')).not.toContain('555666');
    } finally {
      mailer.close();
      await silent.close();
    }
  });
});

/** An address of this machine that is not loopback, so the TLS rule applies. */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const external = externalAddress();

describe.skipIf(external === undefined)('mail off loopback', () => {
  const host = external ?? '';
  let ca: TestCa;
  beforeAll(() => {
    ca = makeTestCa([`IP:${host}`]);
  });
  afterAll(() => ca.remove());

  it('refuses a server that offers no STARTTLS: neither credentials nor message are sent', async () => {
    const plain = await startSmtp({ host, auth: { user: 'u', pass: 'plain-s3cret' } });
    const { mailer } = mailerFor({
      WARDROOM_SMTP_URL: `smtp://u:plain-s3cret@${host}:${plain.port}`,
    });
    try {
      expect(await mailer.send(code('777888'))).toMatchObject({
        status: 'failed',
        code: 'mail_unavailable',
      });
      expect(plain.attempts).toEqual([]);
      expect(plain.received).toEqual([]);
    } finally {
      mailer.close();
      await plain.close();
    }
  });

  it('delivers over STARTTLS with a certificate from the configured CA', async () => {
    const tls = await startSmtp({ host, tls: { key: ca.key, cert: ca.cert } });
    const { mailer } = mailerFor({
      WARDROOM_SMTP_URL: `smtp://${host}:${tls.port}`,
      WARDROOM_SMTP_CA_FILE: ca.caFile,
    });
    try {
      expect(await mailer.send(code('246810'))).toMatchObject({ status: 'delivered' });
      expect(tls.received.map((r) => r.secure)).toEqual([true]);
    } finally {
      mailer.close();
      await tls.close();
    }
  });

  it('refuses a certificate it cannot verify (no CA file)', async () => {
    const tls = await startSmtp({ host, tls: { key: ca.key, cert: ca.cert } });
    const { mailer } = mailerFor({ WARDROOM_SMTP_URL: `smtp://${host}:${tls.port}` });
    try {
      expect(await mailer.send(code('135791'))).toMatchObject({ code: 'mail_unavailable' });
      expect(tls.received).toEqual([]);
      expect(tls.attempts).toEqual([]);
    } finally {
      mailer.close();
      await tls.close();
    }
  });
});

describe('mail configuration', () => {
  it('refuses other schemes, a CA file without a URL and a bad From, naming no value', () => {
    expect(() =>
      loadConfig({ WARDROOM_SMTP_URL: 'http://user:hunter2@mail.example.test' }),
    ).toThrow(/WARDROOM_SMTP_URL: an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() =>
      loadConfig({ WARDROOM_SMTP_URL: 'http://user:hunter2@mail.example.test' }),
    ).not.toThrow(/hunter2/);
    expect(() => loadConfig({ WARDROOM_SMTP_CA_FILE: '/tmp/ca.pem' })).toThrow(/WARDROOM_SMTP_URL/);
    expect(() => loadConfig({ WARDROOM_MAIL_FROM: 'not an address' })).toThrow(
      /WARDROOM_MAIL_FROM/,
    );
  });

  it('defaults the public URL to http://HOST:PORT', () => {
    expect(loadConfig({ HOST: '::1', PORT: '8081' }).mail.publicUrl).toBe('http://[::1]:8081');
    expect(loadConfig({}).mail.publicUrl).toBe('http://127.0.0.1:8080');
  });
});
