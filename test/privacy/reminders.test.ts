/**
 * Reminders about privacy requests near or past their deadline, with a
 * clock the test moves: admins and owners are emailed once per threshold
 * and deadline (a second sweep sends nothing), an extension's new deadline
 * gets its own reminders, closed requests get none, members are not
 * emailed, and no email or audit event names the requester. The same sweep
 * runs as a pg-boss job.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startJobQueue, type RunningJobQueue } from '../../src/db/jobs.js';
import type { MailMessage, MailOutcome } from '../../src/modules/mail/index.js';
import { remindWorkspace } from '../../src/modules/privacy/reminders.js';
import { startReminderWorker } from '../../src/modules/privacy/reminder-job.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call } from '../support/http.js';

let now = new Date('2026-01-31T09:00:00Z');
const clock = () => now;
let t: TestApp;
let admin: Admin;
const sent: MailMessage[] = [];
const mailer = {
  send: (message: MailMessage): Promise<MailOutcome> => {
    sent.push(message);
    return Promise.resolve({
      status: 'delivered',
      code: null,
      template: message.template,
      recipientDomain: 'example.test',
      transport: 'outbox',
    });
  },
};

beforeAll(async () => {
  t = await startTestApp({ clock });
  admin = await connectAdmin();
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

async function emailOf(userId: string): Promise<string> {
  const { rows } = await admin.client.query<{ email: string }>(
    'select email from wardroom.users where id = $1',
    [userId],
  );
  return rows[0]!.email;
}

async function logRequest(ws: TestWorkspace, email: string): Promise<string> {
  const res = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/privacy/requests`, {
    token: ws.ownerToken,
    payload: { type: 'access', subject: { email } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

const mailsFor = (ws: TestWorkspace) =>
  sent.filter((m) => m.template === 'privacy_request_reminder' && m.data.workspaceId === ws.id);

describe('privacy request reminders', () => {
  it('emails admins and owners once per threshold and deadline, as the clock moves', async () => {
    now = new Date('2026-01-31T09:00:00Z');
    const ws = await newWorkspace(t, 'eu');
    const adminUser = await memberToken(t, ws, 'admin');
    await memberToken(t, ws, 'member');
    const subject = `subject-${randomBytes(6).toString('hex')}@example.test`;
    await logRequest(ws, subject); // GDPR: due 2026-02-28
    const closed = await logRequest(ws, 'closed@example.test');
    await call(t, 'POST', `/api/v1/workspaces/${ws.id}/privacy/requests/${closed}/transitions`, {
      token: ws.ownerToken,
      payload: { to: 'cancelled' },
    });
    const deps = { db: t.db, mailer, clock };

    // Far from the deadline: nothing.
    expect(await remindWorkspace(deps, ws.id)).toEqual({ nearDue: 0, overdue: 0, sent: 0 });

    // Seven days before: near due, once.
    now = new Date('2026-02-21T09:00:00Z');
    expect(await remindWorkspace(deps, ws.id)).toEqual({ nearDue: 1, overdue: 0, sent: 2 });
    expect(await remindWorkspace(deps, ws.id)).toEqual({ nearDue: 0, overdue: 0, sent: 0 });
    const recipients = mailsFor(ws)
      .map((m) => m.to)
      .sort();
    expect(recipients).toEqual(
      [await emailOf(ws.ownerUserId), await emailOf(adminUser.userId)].sort(),
    );
    expect(mailsFor(ws)[0]!.data).toEqual({
      workspaceId: ws.id,
      overdue: 0,
      nearDue: 1,
      earliestDueOn: '2026-02-28',
    });

    // On the deadline day it is still near due, not overdue; the day after, overdue, once.
    now = new Date('2026-02-28T23:59:00Z');
    expect((await remindWorkspace(deps, ws.id)).overdue).toBe(0);
    now = new Date('2026-03-01T00:00:00Z');
    expect(await remindWorkspace(deps, ws.id)).toEqual({ nearDue: 0, overdue: 1, sent: 2 });
    expect(await remindWorkspace(deps, ws.id)).toEqual({ nearDue: 0, overdue: 0, sent: 0 });
    expect(mailsFor(ws)).toHaveLength(4);

    // No email and no audit event names the requester.
    expect(JSON.stringify(mailsFor(ws))).not.toContain(subject);
    const { rows } = await admin.client.query<{ action: string; metadata: unknown }>(
      `select action, metadata from wardroom.audit_log
        where tenant_id = $1 and action = 'privacy.request.reminder' order by id`,
      [ws.id],
    );
    expect(rows.map((r) => r.metadata)).toEqual([
      { threshold: 'near_due', due_on: '2026-02-28' },
      { threshold: 'overdue', due_on: '2026-02-28' },
    ]);
    expect(JSON.stringify(rows)).not.toContain(subject);
    expect(rows).toHaveLength(2);
  });

  it("reminds again about an extension's new deadline", async () => {
    now = new Date('2026-01-31T09:00:00Z');
    const ws = await newWorkspace(t, 'eu');
    const id = await logRequest(ws, 'ext@example.test');
    const deps = { db: t.db, mailer, clock };
    now = new Date('2026-02-22T09:00:00Z');
    expect((await remindWorkspace(deps, ws.id)).nearDue).toBe(1);
    const res = await call(
      t,
      'POST',
      `/api/v1/workspaces/${ws.id}/privacy/requests/${id}/extension`,
      { token: ws.ownerToken, payload: { reason: 'Complex request across many systems' } },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect((await remindWorkspace(deps, ws.id)).nearDue).toBe(0);
    now = new Date('2026-04-25T09:00:00Z'); // extended to 2026-04-30
    expect(await remindWorkspace(deps, ws.id)).toMatchObject({ nearDue: 1, overdue: 0 });
  });

  it('runs as a pg-boss job', async () => {
    now = new Date('2026-01-31T09:00:00Z');
    const ws = await newWorkspace(t, 'us');
    await logRequest(ws, 'job@example.test'); // CCPA: due 2026-03-17
    now = new Date('2026-03-20T09:00:00Z');
    const queue: RunningJobQueue = await startJobQueue(inject('jobsUrl'), { supervise: false });
    let resolveSwept: () => void = () => undefined;
    const swept = new Promise<void>((resolve) => (resolveSwept = resolve));
    const errors: unknown[] = [];
    const worker = await startReminderWorker(
      queue,
      { db: t.db, mailer, clock },
      { onSwept: () => resolveSwept(), onError: (e) => errors.push(e) },
    );
    try {
      await swept;
    } finally {
      await worker.stop();
      await queue.stop({ graceful: true, timeout: 5000 });
    }
    expect(errors).toEqual([]);
    expect(mailsFor(ws).map((m) => m.data)).toEqual([
      { workspaceId: ws.id, overdue: 1, nearDue: 0, earliestDueOn: '2026-03-17' },
    ]);
  });
});
