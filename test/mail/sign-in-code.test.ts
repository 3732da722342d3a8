/**
 * A sign-in code travels through the real mailer to a real SMTP server: the
 * person reads it from the email and signs in with it. The send is audited
 * in each of the person's workspaces, by domain only, and the code reaches
 * no audit row and no log line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/base/config.js';
import { createLogger } from '../../src/base/logger.js';
import {
  createMailer,
  MAIL_SEND_ACTION,
  signInCodeMailer,
  type Mailer,
} from '../../src/modules/mail/index.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';
import { memoryStream } from '../support/log-capture.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'wardroom-code-mail-'));
let smtp: TestSmtp;
let t: TestApp;
let mailer: Mailer;
let admin: Admin;
const log = memoryStream();

beforeAll(async () => {
  smtp = await startSmtp();
  const config = loadConfig({
    WARDROOM_DATA_DIR: dataDir,
    WARDROOM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
  });
  mailer = createMailer(config.mail, createLogger('trace', log));
  const holder: { t?: TestApp } = {};
  t = await startTestApp({
    signInCodeSender: {
      sendCode: (message) => {
        if (holder.t === undefined) throw new Error('not started');
        return signInCodeMailer(holder.t.db, mailer).sendCode(message);
      },
    },
  });
  holder.t = t;
  admin = await connectAdmin();
});
afterAll(async () => {
  mailer.close();
  await t.close();
  await smtp.close();
  await admin.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the sign-in code email', () => {
  it('carries the code that signs the person in, audited in each of their workspaces', async () => {
    const email = 'robin.private@inbox.test';
    const spaces = [await newWorkspace(t), await newWorkspace(t)];
    for (const ws of spaces) {
      const invited = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/members`, {
        token: ws.ownerToken,
        payload: { email, role: 'member' },
      });
      expect(invited.statusCode, invited.body).toBe(201);
    }
    const before = smtp.received.length;
    const start = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email/start',
      payload: { email },
    });
    expect(start.statusCode).toBe(202);
    // The answer does not wait for the mail: wait for it to arrive.
    await vi.waitFor(() => expect(smtp.received.length).toBe(before + 1), { timeout: 10_000 });
    const mail = smtp.received[before];
    expect(mail?.to).toEqual([email]);
    const code = /\b(\d{6})\b/.exec(mail?.mail.text ?? '')?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(mail?.mail.html).toContain(code);

    const verify = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/email/verify',
      payload: { email, code },
    });
    expect(verify.statusCode, verify.body).toBe(200);

    for (const ws of spaces) {
      const { rows } = await admin.client.query<{ metadata: Record<string, unknown> }>(
        `select metadata from wardroom.audit_log where tenant_id = $1 and action = $2`,
        [ws.id, MAIL_SEND_ACTION],
      );
      expect(rows.map((r) => r.metadata)).toEqual([
        {
          template: 'sign_in_code',
          recipient_domain: 'inbox.test',
          transport: 'smtp',
          status: 'ok',
          outcome: 'delivered',
          error_code: null,
        },
      ]);
      const { rows: all } = await admin.client.query<{ row: string }>(
        'select a::text as row from wardroom.audit_log a where tenant_id = $1',
        [ws.id],
      );
      const audit = all.map((r) => r.row).join('\n');
      expect(audit).not.toContain(code);
      expect(audit).not.toContain('robin.private');
    }
    expect(log.lines.join('\n')).not.toContain(code);
  });
});
