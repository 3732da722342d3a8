/**
 * The automatic post-cancellation purge, in process, with a clock the test
 * moves: an owner turns it on (admins and members cannot, bad input changes
 * nothing); a signed Stripe cancellation schedules it 30 days out; the
 * sweep emails owners 7 days and 1 day before, each once; at the due time
 * it crypto-shreds the workspace, deletes its stored objects and emails
 * the signed receipt to the owners once; every step is an audit event. A
 * reactivation cancels a pending purge; off (the default), a cancellation
 * schedules nothing; the operator's default turns it on for workspaces
 * whose owner has not chosen. The sweep's step runs per workspace here
 * (purgeWorkspaceStep): other files share the database, and a moved clock
 * must not purge their workspaces.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startJobQueue } from '../../src/db/jobs.js';
import {
  purgeWorkspaceStep,
  startPurgeWorker,
  type PurgeView,
} from '../../src/modules/billing/index.js';
import { objectKey } from '../../src/modules/storage/index.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { verifyShredReceipt } from '../../src/modules/keys/index.js';
import type { Mailer } from '../../src/modules/mail/index.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call, expectError } from '../support/http.js';
import type { TestSmtp } from '../support/smtp.js';
import { PLANS, purgeDeps, SECRET, smtpMailer, subscription } from './purge-helpers.js';

const DAY = 86_400_000;
let now = new Date();
const clock = () => now;
let t: TestApp;
let admin: Admin;
let smtp: TestSmtp;
let mailer: Mailer;

beforeAll(async () => {
  t = await startTestApp({ billing: { plans: PLANS, stripeWebhookSecret: SECRET } });
  admin = await connectAdmin();
  ({ smtp, mailer } = await smtpMailer());
});
afterAll(async () => {
  mailer.close();
  await smtp.close();
  await admin.close();
  await t.close();
});

const purgeOf = async (ws: TestWorkspace): Promise<PurgeView> => {
  const res = await call(t, 'GET', `/api/v1/workspaces/${ws.id}/billing`, { token: ws.ownerToken });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ purge: PurgeView }>().purge;
};
const setPurge = (ws: TestWorkspace, enabled: unknown, token = ws.ownerToken) =>
  call(t, 'PUT', `/api/v1/workspaces/${ws.id}/billing/purge`, { token, payload: { enabled } });

async function actions(ws: TestWorkspace, prefix: string): Promise<string[]> {
  const { rows } = await admin.client.query<{ action: string }>(
    `select action from wardroom.audit_log where tenant_id = $1 and action like $2 order by id`,
    [ws.id, `${prefix}%`],
  );
  return rows.map((r) => r.action);
}
async function ownerEmail(ws: TestWorkspace): Promise<string> {
  const { rows } = await admin.client.query<{ email: string }>(
    'select email from wardroom.users where id = $1',
    [ws.ownerUserId],
  );
  return rows[0]!.email;
}
const mailsTo = (to: string, subject: RegExp) =>
  smtp.received.filter((r) => r.to.includes(to) && subject.test(r.mail.subject ?? ''));

async function storeObject(ws: TestWorkspace, name: string): Promise<void> {
  const key = objectKey(ws.id, 'exports', name);
  await t.storage.write(systemPrincipal(ws.id, 'test'), key, Readable.from([Buffer.from(name)]));
}

describe('the post-cancellation purge setting', () => {
  it('is the owner’s: admins and members are refused, bad input changes nothing', async () => {
    const ws = await newWorkspace(t);
    const adm = await memberToken(t, ws, 'admin');
    const member = await memberToken(t, ws, 'member');
    expectError(await setPurge(ws, true, adm.token), 403, 'forbidden');
    expectError(await setPurge(ws, true, member.token), 403, 'forbidden');
    expectError(await setPurge(ws, 'yes'), 400, 'validation_failed');
    const other = await newWorkspace(t);
    const cross = await call(t, 'PUT', `/api/v1/workspaces/${ws.id}/billing/purge`, {
      token: other.ownerToken,
      payload: { enabled: true },
    });
    expect(cross.statusCode).toBeGreaterThanOrEqual(403);
    expect(await purgeOf(ws)).toMatchObject({ enabled: null, effective: false, state: 'none' });
    expect(await actions(ws, 'workspace.purge.')).toEqual([]);

    const on = await setPurge(ws, true);
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toMatchObject({ enabled: true, effective: true, days: 30, state: 'none' });
    expect(await actions(ws, 'workspace.purge.')).toEqual(['workspace.purge.setting_changed']);
  });
});

describe('a cancelled workspace with the purge on', () => {
  it('is warned 7 days and 1 day before, once each, then shredded, emptied and receipted once', async () => {
    const ws = await newWorkspace(t);
    const second = await memberToken(t, ws, 'owner');
    const adm = await memberToken(t, ws, 'admin');
    await storeObject(ws, 'a.zip');
    await storeObject(ws, 'b.zip');
    expect((await setPurge(ws, true)).statusCode).toBe(200);
    await subscription(t, ws.id, 'active');
    await subscription(t, ws.id, 'canceled');
    const view = await purgeOf(ws);
    expect(view.state).toBe('scheduled');
    const due = new Date(view.due_at!);
    const cancelled = new Date(view.cancelled_at!);
    expect(due.getTime() - cancelled.getTime()).toBe(30 * DAY);
    const deps = purgeDeps(t, mailer, clock);
    const owners = [
      await ownerEmail(ws),
      await admin.client
        .query<{ email: string }>('select email from wardroom.users where id = $1', [second.userId])
        .then((r) => r.rows[0]!.email),
    ];
    const adminEmail = (
      await admin.client.query<{ email: string }>(
        'select email from wardroom.users where id = $1',
        [adm.userId],
      )
    ).rows[0]!.email;

    now = new Date(due.getTime() - 8 * DAY);
    await purgeWorkspaceStep(deps, ws.id);
    expect(mailsTo(owners[0]!, /will be deleted/)).toHaveLength(0);

    now = new Date(due.getTime() - 7 * DAY);
    await purgeWorkspaceStep(deps, ws.id);
    await purgeWorkspaceStep(deps, ws.id);
    for (const o of owners) expect(mailsTo(o, /will be deleted in 7 days/)).toHaveLength(1);
    expect(mailsTo(adminEmail, /will be deleted/)).toHaveLength(0);

    now = new Date(due.getTime() - 1 * DAY);
    await purgeWorkspaceStep(deps, ws.id);
    await purgeWorkspaceStep(deps, ws.id);
    for (const o of owners) expect(mailsTo(o, /will be deleted in 1 day/)).toHaveLength(1);
    expect((await purgeOf(ws)).state).toBe('scheduled');

    now = due;
    await purgeWorkspaceStep(deps, ws.id);
    await purgeWorkspaceStep(deps, ws.id);
    const shredded = await admin.client.query<{ shredded_at: Date | null }>(
      'select shredded_at from wardroom.workspaces where tenant_id = $1',
      [ws.id],
    );
    expect(shredded.rows[0]?.shredded_at).not.toBeNull();
    const keys = await admin.client.query(
      'select 1 from wardroom.workspace_keys where tenant_id = $1',
      [ws.id],
    );
    expect(keys.rows).toHaveLength(0);
    expect(await t.storage.store.exists(objectKey(ws.id, 'exports', 'a.zip'))).toBe(false);
    expect(await t.storage.store.exists(objectKey(ws.id, 'exports', 'b.zip'))).toBe(false);
    for (const o of owners) {
      const receipts = mailsTo(o, /was deleted \(receipt/);
      expect(receipts).toHaveLength(1);
      const text = receipts[0]!.mail.text ?? '';
      expect(text).toContain('Stored files deleted: 2');
      const json = /(\{"receipt".*\})\s*$/s.exec(text)?.[1];
      expect(verifyShredReceipt(JSON.parse(json!), deps.signer.publicKey)).toBe(true);
    }
    expect(mailsTo(adminEmail, /was deleted/)).toHaveLength(0);
    const row = await admin.client.query(
      'select state, objects_deleted, completed_at from wardroom.workspace_purges where tenant_id = $1',
      [ws.id],
    );
    expect(row.rows[0]).toMatchObject({ state: 'done', objects_deleted: 2 });
    expect(await actions(ws, 'workspace.purge.')).toEqual([
      'workspace.purge.setting_changed',
      'workspace.purge.scheduled',
      'workspace.purge.warned',
      'workspace.purge.warned',
      'workspace.purge.started',
      'workspace.purge.shredded',
      'workspace.purge.completed',
    ]);
    const deleted = await admin.client.query<{ metadata: unknown }>(
      `select metadata from wardroom.audit_log where tenant_id = $1 and action = 'workspace.objects_deleted'`,
      [ws.id],
    );
    expect(deleted.rows.map((r) => r.metadata)).toEqual([{ status: 'ok', count: 2, via: 'purge' }]);
    // The workspace answers 410 from now on, the billing page included.
    expectError(
      await call(t, 'GET', `/api/v1/workspaces/${ws.id}/billing`, { token: ws.ownerToken }),
      410,
      'workspace_shredded',
    );
  });

  it('is not purged once reactivated: the pending purge is cancelled', async () => {
    const ws = await newWorkspace(t);
    await setPurge(ws, true);
    await subscription(t, ws.id, 'active');
    await subscription(t, ws.id, 'canceled');
    const due = new Date((await purgeOf(ws)).due_at!);
    await subscription(t, ws.id, 'active', 'customer.subscription.created');
    expect(await purgeOf(ws)).toMatchObject({
      state: 'cancelled',
      due_at: null,
      cancelled_at: null,
    });
    now = new Date(due.getTime() + DAY);
    const deps = purgeDeps(t, mailer, clock);
    await purgeWorkspaceStep(deps, ws.id);
    const ws2 = await admin.client.query(
      'select shredded_at, plan from wardroom.workspaces where tenant_id = $1',
      [ws.id],
    );
    expect(ws2.rows[0]).toMatchObject({ shredded_at: null, plan: 'team' });
    expect(mailsTo(await ownerEmail(ws), /will be deleted|was deleted/)).toHaveLength(0);
    const cancelled = await admin.client.query<{ metadata: { reason: string } }>(
      `select metadata from wardroom.audit_log where tenant_id = $1 and action = 'workspace.purge.cancelled'`,
      [ws.id],
    );
    expect(cancelled.rows.map((r) => r.metadata.reason)).toEqual(['reactivated']);
  });

  it('is cancelled when the owner turns it off, and scheduled again when turned back on', async () => {
    const ws = await newWorkspace(t);
    await setPurge(ws, true);
    await subscription(t, ws.id, 'active');
    await subscription(t, ws.id, 'canceled');
    const first = await purgeOf(ws);
    expect(first.state).toBe('scheduled');
    expect((await setPurge(ws, false)).json()).toMatchObject({ state: 'cancelled', due_at: null });
    const on = (await setPurge(ws, true)).json<PurgeView>();
    expect(on.state).toBe('scheduled');
    expect(on.due_at).toBe(first.due_at);
  });
});

describe('with the purge off', () => {
  it('a cancellation schedules nothing, and the sweep leaves the workspace alone', async () => {
    const ws = await newWorkspace(t);
    await subscription(t, ws.id, 'active');
    await subscription(t, ws.id, 'canceled');
    const view = await purgeOf(ws);
    expect(view).toMatchObject({ effective: false, state: 'none', due_at: null });
    expect(view.cancelled_at).not.toBeNull();
    now = new Date(Date.now() + 400 * DAY);
    await purgeWorkspaceStep(purgeDeps(t, mailer, clock), ws.id);
    const row = await admin.client.query<{ shredded_at: Date | null }>(
      'select shredded_at from wardroom.workspaces where tenant_id = $1',
      [ws.id],
    );
    expect(row.rows[0]?.shredded_at).toBeNull();
  });

  it("the operator's default turns it on for an owner who has not chosen, not for one who said no", async () => {
    const on = await startTestApp({
      billing: {
        plans: PLANS,
        stripeWebhookSecret: SECRET,
        purge: { defaultOn: true, days: 10 },
      },
    });
    try {
      const undecided = await newWorkspace(on);
      const refused = await newWorkspace(on);
      expect(
        (
          await call(on, 'PUT', `/api/v1/workspaces/${refused.id}/billing/purge`, {
            token: refused.ownerToken,
            payload: { enabled: false },
          })
        ).statusCode,
      ).toBe(200);
      for (const ws of [undecided, refused]) {
        await subscription(on, ws.id, 'active');
        await subscription(on, ws.id, 'canceled');
      }
      const view = async (ws: TestWorkspace) =>
        (
          await call(on, 'GET', `/api/v1/workspaces/${ws.id}/billing`, { token: ws.ownerToken })
        ).json<{ purge: PurgeView }>().purge;
      const u = await view(undecided);
      expect(u).toMatchObject({ enabled: null, default_on: true, effective: true, days: 10 });
      expect(u.state).toBe('scheduled');
      expect(new Date(u.due_at!).getTime() - new Date(u.cancelled_at!).getTime()).toBe(10 * DAY);
      expect(await view(refused)).toMatchObject({
        enabled: false,
        effective: false,
        state: 'none',
      });
    } finally {
      await on.close();
    }
  });
});

describe('the purge job', () => {
  it('runs the sweep as a pg-boss job: a due purge is carried out by the worker', async () => {
    const ws = await newWorkspace(t);
    await setPurge(ws, true);
    await subscription(t, ws.id, 'active');
    await subscription(t, ws.id, 'canceled');
    // Thirty days pass: the last warning went out a day ago and the purge is due now.
    await admin.client.query(
      `update wardroom.workspace_purges
          set due_at = now() - interval '1 minute', warned_1_at = now() - interval '1 day'
        where tenant_id = $1`,
      [ws.id],
    );
    const queue = await startJobQueue(inject('jobsUrl'), { supervise: false });
    const errors: unknown[] = [];
    let resolveSwept: () => void = () => undefined;
    const swept = new Promise<void>((resolve) => (resolveSwept = resolve));
    const worker = await startPurgeWorker(
      queue,
      purgeDeps(t, mailer, () => new Date()),
      {
        onSwept: () => resolveSwept(),
        onError: (e) => errors.push(e),
      },
    );
    try {
      await swept;
    } finally {
      await worker.stop();
      await queue.stop({ graceful: true, timeout: 5000 });
    }
    expect(errors).toEqual([]);
    const { rows } = await admin.client.query<{ state: string }>(
      'select state from wardroom.workspace_purges where tenant_id = $1',
      [ws.id],
    );
    expect(rows[0]?.state).toBe('done');
    expect(mailsTo(await ownerEmail(ws), /was deleted \(receipt/)).toHaveLength(1);
  });
});
