/**
 * The deletion sweep's edges: a deletion whose worker died while running is
 * claimed again only after its lease, and then run once with one receipt;
 * the sweep runs as a pg-boss job; and the export guard says "exists" once
 * the person has run an export.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startJobQueue, type RunningJobQueue } from '../../src/db/jobs.js';
import {
  receiptKey,
  runDueDeletions,
  startDeletionWorker,
  type SweepResult,
} from '../../src/modules/privacy/index.js';
import { outboxMailer } from '../budgets/helpers.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { memberToken, newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';
import { signIn } from '../support/sign-in.js';

let t: TestApp;
let admin: Admin;
let now = new Date('2027-03-01T10:00:00Z');
const clock = () => now;
const mail = outboxMailer();
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestApp({ clock, deletion: { mailer: mail.mailer } });
  admin = await connectAdmin();
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const deps = () => ({
  db: t.db,
  keyring: t.keyring,
  clock,
  coolingOffDays: 7,
  receiptKey: receiptKey(t.authSecret),
  mailer: mail.mailer,
});

async function emailOf(userId: string): Promise<string> {
  const { rows } = await admin.client.query<{ email: string }>(
    'select email from wardroom.users where id = $1',
    [userId],
  );
  return rows[0]!.email;
}

/** A member who schedules their own deletion; returns its id and their address. */
async function scheduled(): Promise<{ id: string; email: string; userId: string }> {
  const ws = await newWorkspace(t);
  const { userId } = await memberToken(t, ws, 'member');
  const email = await emailOf(userId);
  const b = await signIn(t, email);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/account/delete',
    headers: b.write,
    payload: { confirm_email: email },
  });
  expect(res.statusCode, res.body).toBe(202);
  return { id: res.json<{ deletion: { id: string } }>().deletion.id, email, userId };
}

const receiptsTo = (to: string) =>
  mail.emails().filter((m) => m.to === to && m.subject === 'Your Wardroom account was deleted');

describe('the deletion sweep', () => {
  it('claims a running deletion again only after its lease, and runs it once', async () => {
    now = new Date('2027-03-01T10:00:00Z');
    const { id, email, userId } = await scheduled();
    // A worker claimed it eight days later and died before finishing.
    now = new Date(now.getTime() + 8 * DAY);
    await admin.client.query(
      `update wardroom.scheduled_deletions set state = 'running', started_at = $2 where id = $1`,
      [id, now.toISOString()],
    );
    now = new Date(now.getTime() + 5 * 60_000);
    expect(await runDueDeletions(deps(), undefined, [userId])).toEqual({
      claimed: 0,
      completed: 0,
      receipts: 0,
    });
    now = new Date(now.getTime() + 20 * 60_000);
    expect(await runDueDeletions(deps(), undefined, [userId])).toEqual({
      claimed: 1,
      completed: 1,
      receipts: 1,
    });
    expect(await runDueDeletions(deps(), undefined, [userId])).toEqual({
      claimed: 0,
      completed: 0,
      receipts: 0,
    });
    expect(receiptsTo(email)).toHaveLength(1);
  });

  it('runs as a pg-boss job', async () => {
    // Earlier than every other test file's deletions in this database: the job sweeps them all.
    now = new Date('2026-06-01T10:00:00Z');
    const { email } = await scheduled();
    now = new Date(now.getTime() + 8 * DAY);
    const queue: RunningJobQueue = await startJobQueue(inject('jobsUrl'), { supervise: false });
    const results: SweepResult[] = [];
    let resolveSwept: () => void = () => undefined;
    const swept = new Promise<void>((resolve) => (resolveSwept = resolve));
    const errors: unknown[] = [];
    const worker = await startDeletionWorker(queue, deps(), {
      onSwept: (r) => {
        results.push(r);
        resolveSwept();
      },
      onError: (e) => errors.push(e),
    });
    try {
      await swept;
    } finally {
      await worker.stop();
      await queue.stop({ graceful: true, timeout: 5000 });
    }
    expect(errors).toEqual([]);
    expect(results[0]).toEqual({ claimed: 1, completed: 1, receipts: 1 });
    expect(receiptsTo(email)).toHaveLength(1);
  });
});

describe('the export guard', () => {
  it('says an access export exists once the person ran one', async () => {
    const ws = await newWorkspace(t);
    const { userId } = await memberToken(t, ws, 'owner');
    const b = await signIn(t, await emailOf(userId));
    const status = async () =>
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/v1/account/deletion',
          headers: { cookie: b.cookie },
        })
      ).json<{ access_export: { exists: boolean; workspace_id: string | null } }>().access_export;
    expect(await status()).toMatchObject({ exists: false, workspace_id: null });
    const exported = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/privacy/exports`, {
      headers: b.write,
      payload: { form: 'snapshot' },
    });
    // Queued; the test app runs the export job in this process. Wait for it to complete.
    expect(exported.statusCode, exported.body).toBe(202);
    const id = exported.json<{ id: string }>().id;
    await expect
      .poll(
        async () =>
          (
            await call(t, 'GET', `/api/v1/workspaces/${ws.id}/privacy/exports/${id}`, {
              headers: { cookie: b.cookie },
            })
          ).json<{ state: string }>().state,
        { timeout: 30_000 },
      )
      .toBe('completed');
    expect(await status()).toMatchObject({ exists: true, workspace_id: ws.id });
  });
});
