/**
 * Inviting a member over HTTP sends exactly one invitation email after the
 * membership committed, and records the send in the workspace's audit log
 * with the recipient's domain only. A refused send keeps the invitation and
 * says so in the answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/base/config.js';
import { createLogger } from '../../src/base/logger.js';
import {
  createMailer,
  invitationMailer,
  MAIL_SEND_ACTION,
  type Mailer,
} from '../../src/modules/mail/index.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';
import { memoryStream } from '../support/log-capture.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'wardroom-invite-'));
let smtp: TestSmtp;
let t: TestApp;
let mailer: Mailer;
let admin: Admin;
const log = memoryStream();

beforeAll(async () => {
  smtp = await startSmtp({ reject: ['bounce@refused.test'] });
  const config = loadConfig({
    WARDROOM_DATA_DIR: dataDir,
    WARDROOM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    WARDROOM_PUBLIC_URL: 'https://console.example.test',
  });
  mailer = createMailer(config.mail, createLogger('trace', log));
  // The test app's database serves both the routes and the mail audit record.
  const holder: { t?: TestApp } = {};
  t = await startTestApp({
    invitations: {
      sendInvitation: (principal, email) => {
        if (holder.t === undefined) throw new Error('not started');
        return invitationMailer(holder.t.db, mailer).sendInvitation(principal, email);
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

async function mailEvents(ws: string) {
  const { rows } = await admin.client.query<{ action: string; metadata: Record<string, unknown> }>(
    'select action, metadata from wardroom.audit_log where tenant_id = $1 and action = $2',
    [ws, MAIL_SEND_ACTION],
  );
  return rows;
}

async function auditText(ws: string): Promise<string> {
  const { rows } = await admin.client.query<{ row: string }>(
    'select a::text as row from wardroom.audit_log a where tenant_id = $1',
    [ws],
  );
  return rows.map((r) => r.row).join('\n');
}

describe('invitation email', () => {
  it('sends exactly one email after commit and audits it with the domain only', async () => {
    const ws = await newWorkspace(t);
    await admin.client.query(`update wardroom.workspaces set name = $2 where tenant_id = $1`, [
      ws.id,
      '<b>Evil</b> & Co',
    ]);
    const before = smtp.received.length;
    const res = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/members`, {
      token: ws.ownerToken,
      payload: { email: 'dana.hidden@invitee.test', role: 'member', language: 'en' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      email: 'dana.hidden@invitee.test',
      invitation_email: { sent: true, error_code: null },
    });
    const sent = smtp.received.slice(before);
    expect(sent).toHaveLength(1);
    const mail = sent[0]?.mail;
    expect(sent[0]?.to).toEqual(['dana.hidden@invitee.test']);
    expect(mail?.text).toContain('"<b>Evil</b> & Co"');
    expect(mail?.html).toContain('&lt;b&gt;Evil&lt;/b&gt; &amp; Co');
    expect(mail?.html).toContain('https://console.example.test');
    expect(mail?.text).toMatch(/owner-[0-9a-f]+@example\.test invited you/);

    const events = await mailEvents(ws.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.metadata).toEqual({
      template: 'invitation',
      recipient_domain: 'invitee.test',
      transport: 'smtp',
      status: 'ok',
      outcome: 'delivered',
      error_code: null,
    });
    const audit = await auditText(ws.id);
    expect(audit).not.toContain('dana.hidden');
    expect(audit).not.toContain('console.example.test');
    const logged = log.lines.join('\n');
    expect(logged).not.toContain('dana.hidden');
    expect(logged).not.toContain('console.example.test');
  });

  it('keeps the invitation when the server refuses, and says so', async () => {
    const ws = await newWorkspace(t);
    const before = smtp.received.length;
    const res = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/members`, {
      token: ws.ownerToken,
      payload: { email: 'bounce@refused.test' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      email: 'bounce@refused.test',
      invitation_email: { sent: false, error_code: 'mail_refused' },
    });
    expect(smtp.received.length).toBe(before);
    expect((await admin.counts(ws.id)).memberships).toBe(2);
    const events = await mailEvents(ws.id);
    expect(events.map((e) => e.metadata)).toEqual([
      expect.objectContaining({
        status: 'error',
        outcome: 'refused',
        error_code: 'mail_refused',
        recipient_domain: 'refused.test',
      }),
    ]);
  });

  it('sends nothing when the invitation fails (409 conflict)', async () => {
    const ws = await newWorkspace(t);
    const payload = { email: 'twice@invitee.test' };
    const first = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/members`, {
      token: ws.ownerToken,
      payload,
    });
    expect(first.statusCode).toBe(201);
    const before = smtp.received.length;
    const again = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/members`, {
      token: ws.ownerToken,
      payload,
    });
    expect(again.statusCode).toBe(409);
    expect(smtp.received.length).toBe(before);
    expect(await mailEvents(ws.id)).toHaveLength(1);
  });
});

describe('invitation email, bad input', () => {
  it('refuses a bad language with 400 validation_failed, sending and changing nothing', async () => {
    const ws = await newWorkspace(t);
    const before = await admin.snapshot(ws.id);
    const sent = smtp.received.length;
    const res = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/members`, {
      token: ws.ownerToken,
      payload: { email: 'eve@invitee.test', language: '../../etc/passwd' },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
    expect(await admin.snapshot(ws.id)).toEqual(before);
    expect(smtp.received.length).toBe(sent);
  });
});
