/**
 * Privacy requests over HTTP: admins log a request and get its law and
 * deadline (set from the region and the stated jurisdiction at receipt);
 * the requester's email, name and details are sealed in the row and absent
 * from every audit event; transitions follow the table and refuse the rest
 * with a stable code, changing nothing; an extension is once, with a reason,
 * within the first period; members cannot reach any of it; an owner's region
 * change is audited and gives new requests the new law, old ones keep theirs.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call, expectError } from '../support/http.js';

interface RequestView {
  id: string;
  type: string;
  state: string;
  subject: { user_id: string | null; email: string | null; name: string | null };
  details: string | null;
  law: { code: string };
  region: string;
  due_on: string;
  extended_due_on: string | null;
  effective_due_on: string;
  extension_reason: string | null;
  denial_reason: string | null;
  closed_at: string | null;
  overdue: boolean;
}

let now = new Date('2026-01-31T10:00:00Z');
let t: TestApp;
let admin: Admin;
let ws: TestWorkspace;
let adminToken: string;
let member: string;
beforeAll(async () => {
  t = await startTestApp({ clock: () => now });
  admin = await connectAdmin();
  ws = await newWorkspace(t, 'eu');
  adminToken = (await memberToken(t, ws, 'admin')).token;
  member = (await memberToken(t, ws, 'member')).token;
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const url = (path = '') => `/api/v1/workspaces/${ws.id}/privacy/requests${path}`;
const secret = () => randomBytes(6).toString('hex');

async function create(body: object, token = adminToken): Promise<RequestView> {
  const res = await call(t, 'POST', url(), { token, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<RequestView>();
}

async function move(id: string, body: object, token = adminToken) {
  return call(t, 'POST', url(`/${id}/transitions`), { token, payload: body });
}

async function auditText(): Promise<string> {
  const { rows } = await admin.client.query<{ row: string }>(
    'select row_to_json(a)::text as row from wardroom.audit_log a where tenant_id = $1',
    [ws.id],
  );
  return rows.map((r) => r.row).join('\n');
}

describe('privacy requests', () => {
  it('logs a request with its law and deadline, sealing who asked', async () => {
    now = new Date('2026-01-31T10:00:00Z');
    const email = `subject-${secret()}@example.test`;
    const name = `Subject ${secret()}`;
    const details = `Please send everything ${secret()}`;
    const made = await create({
      type: 'access',
      jurisdiction: 'US-CA',
      subject: { email, name },
      details,
    });
    // An EU workspace: the GDPR's month ends before the CCPA's 45 days.
    expect(made).toMatchObject({
      type: 'access',
      state: 'received',
      subject: { email, name, user_id: null },
      details,
      law: { code: 'gdpr' },
      region: 'eu',
      due_on: '2026-02-28',
      effective_due_on: '2026-02-28',
      overdue: false,
    });
    const row = await admin.client.query<Record<string, unknown>>(
      'select row_to_json(r)::text as row from wardroom.privacy_requests r where id = $1',
      [made.id],
    );
    const stored = JSON.stringify(row.rows);
    for (const plain of [email, name, details]) expect(stored).not.toContain(plain);
    const events = await auditText();
    for (const plain of [email, name, details, 'US-CA']) expect(events).not.toContain(plain);
    expect(events).toContain('privacy.request.received');

    const read = await call(t, 'GET', url(`/${made.id}`), { token: adminToken });
    expect(read.json<RequestView>().subject.email).toBe(email);
    const list = await call(t, 'GET', url('?state=open'), { token: adminToken });
    expect(list.json<{ items: RequestView[] }>().items.map((r) => r.id)).toContain(made.id);
  });

  it('accepts a member as subject, refuses a stranger and an empty subject', async () => {
    const { userId } = await memberToken(t, ws, 'viewer');
    const made = await create({ type: 'deletion', subject: { user_id: userId } });
    expect(made.subject).toEqual({ user_id: userId, email: null, name: null });
    const other = await newWorkspace(t);
    for (const subject of [{ user_id: other.ownerUserId }, {}]) {
      const res = await call(t, 'POST', url(), {
        token: adminToken,
        payload: { type: 'access', subject },
      });
      expectError(res, 400, 'validation_failed');
    }
    const bad = await call(t, 'POST', url(), {
      token: adminToken,
      payload: { type: 'access', jurisdiction: 'california', subject: { email: 'a@example.test' } },
    });
    expectError(bad, 400, 'validation_failed');
  });

  it('moves through the states, refuses illegal moves with a stable code, audits each', async () => {
    const made = await create({ type: 'access', subject: { email: 'x@example.test' } });
    expectError(await move(made.id, { to: 'completed' }), 409, 'privacy_transition_invalid');
    expectError(await move(made.id, { to: 'in_progress' }), 409, 'privacy_transition_invalid');
    const unchanged = await call(t, 'GET', url(`/${made.id}`), { token: adminToken });
    expect(unchanged.json<RequestView>().state).toBe('received');
    for (const to of ['identity_verified', 'in_progress', 'completed']) {
      const res = await move(made.id, { to });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<RequestView>().state).toBe(to);
    }
    const done = await call(t, 'GET', url(`/${made.id}`), { token: adminToken });
    expect(done.json<RequestView>().closed_at).not.toBeNull();
    expectError(await move(made.id, { to: 'cancelled' }), 409, 'privacy_transition_invalid');
    const { rows } = await admin.client.query<{ metadata: { from: string; to: string } }>(
      `select metadata from wardroom.audit_log
        where tenant_id = $1 and action = 'privacy.request.state_changed'
          and targets @> $2::jsonb order by id`,
      [ws.id, JSON.stringify([{ id: made.id }])],
    );
    expect(rows.map((r) => `${r.metadata.from}>${r.metadata.to}`)).toEqual([
      'received>identity_verified',
      'identity_verified>in_progress',
      'in_progress>completed',
    ]);
  });

  it('denies only with a reason, and takes a reason only for a denial', async () => {
    const made = await create({ type: 'rectification', subject: { email: 'y@example.test' } });
    expectError(await move(made.id, { to: 'denied' }), 400, 'validation_failed');
    expectError(
      await move(made.id, { to: 'cancelled', reason: 'withdrawn' }),
      400,
      'validation_failed',
    );
    const denied = await move(made.id, { to: 'denied', reason: 'Identity could not be verified' });
    expect(denied.json<RequestView>()).toMatchObject({
      state: 'denied',
      denial_reason: 'Identity could not be verified',
    });
  });

  it('extends a GDPR deadline once, with a reason, within the first month', async () => {
    now = new Date('2026-01-31T10:00:00Z');
    const made = await create({ type: 'access', subject: { email: 'z@example.test' } });
    const ext = url(`/${made.id}/extension`);
    expectError(
      await call(t, 'POST', ext, { token: adminToken, payload: {} }),
      400,
      'validation_failed',
    );
    const res = await call(t, 'POST', ext, {
      token: adminToken,
      payload: { reason: 'Complex: many systems hold records' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<RequestView>()).toMatchObject({
      due_on: '2026-02-28',
      extended_due_on: '2026-04-30',
      effective_due_on: '2026-04-30',
      extension_reason: 'Complex: many systems hold records',
    });
    const again = await call(t, 'POST', ext, { token: adminToken, payload: { reason: 'again' } });
    expectError(again, 409, 'privacy_extension_not_allowed');

    const late = await create({ type: 'access', subject: { email: 'late@example.test' } });
    now = new Date('2026-03-01T00:00:00Z');
    const tooLate = await call(t, 'POST', url(`/${late.id}/extension`), {
      token: adminToken,
      payload: { reason: 'Complex' },
    });
    expectError(tooLate, 409, 'privacy_extension_not_allowed');
    const overdue = await call(t, 'GET', url(`/${late.id}`), { token: adminToken });
    expect(overdue.json<RequestView>().overdue).toBe(true);
    now = new Date('2026-01-31T10:00:00Z');
  });

  it('keeps no reason an admin wrote once the workspace is shredded', async () => {
    const doomed = await newWorkspace(t, 'eu');
    const token = (await memberToken(t, doomed, 'admin')).token;
    const at = (path: string) => `/api/v1/workspaces/${doomed.id}/privacy/requests${path}`;
    const mark = `Reason-${secret()}`;
    const first = await call(t, 'POST', at(''), {
      token,
      payload: { type: 'access', subject: { email: 'e@example.test' } },
    });
    const second = await call(t, 'POST', at(''), {
      token,
      payload: { type: 'deletion', subject: { email: 'd@example.test' } },
    });
    const [a, d] = [first.json<RequestView>().id, second.json<RequestView>().id];
    const ext = await call(t, 'POST', at(`/${a}/extension`), {
      token,
      payload: { reason: `${mark} extended` },
    });
    expect(ext.statusCode, ext.body).toBe(200);
    const deny = await call(t, 'POST', at(`/${d}/transitions`), {
      token,
      payload: { to: 'denied', reason: `${mark} denied` },
    });
    expect(deny.statusCode, deny.body).toBe(200);
    const reasons = async (tenant: string) =>
      (
        await admin.client.query<{ r: string }>(
          `select coalesce(extension_reason, '') || '|' || coalesce(denial_reason, '') as r
             from wardroom.privacy_requests where tenant_id = $1`,
          [tenant],
        )
      ).rows.map((r) => r.r);
    expect((await reasons(doomed.id)).join()).toContain(mark);
    const other = await create({ type: 'access', subject: { email: 'o@example.test' } });
    await call(t, 'POST', url(`/${other.id}/extension`), {
      token: adminToken,
      payload: { reason: `${mark} kept` },
    });

    const { rows } = await admin.client.query<{ name: string }>(
      'select name from wardroom.workspaces where tenant_id = $1',
      [doomed.id],
    );
    const shred = await call(t, 'POST', `/api/v1/workspaces/${doomed.id}/shred`, {
      token: doomed.ownerToken,
      payload: { confirm: rows[0]!.name },
    });
    expect(shred.statusCode, shred.body).toBe(200);
    const after = await reasons(doomed.id);
    expect(after.join()).not.toContain(mark);
    expect(after.sort()).toEqual([
      'Cleared when the workspace was shredded|',
      '|Cleared when the workspace was shredded',
    ]);
    // Another workspace's reasons are not touched.
    expect((await reasons(ws.id)).join()).toContain(`${mark} kept`);
  });

  it("fails to open a requester's email moved to another request or workspace", async () => {
    const email = `moved-${secret()}@example.test`;
    const source = await create({ type: 'access', subject: { email } });
    const target = await create({ type: 'access', subject: { email: 'target@example.test' } });
    const other = await newWorkspace(t, 'eu');
    const foreign = await call(t, 'POST', `/api/v1/workspaces/${other.id}/privacy/requests`, {
      token: other.ownerToken,
      payload: { type: 'access', subject: { email: 'foreign@example.test' } },
    });
    const foreignId = foreign.json<{ id: string }>().id;
    const original = await admin.client.query<{ e: Buffer }>(
      'select subject_email_sealed as e from wardroom.privacy_requests where id = $1',
      [target.id],
    );
    for (const [victim, ws2, token] of [
      [target.id, ws.id, adminToken],
      [foreignId, other.id, other.ownerToken],
    ] as const) {
      const moved = await admin.client.query(
        `update wardroom.privacy_requests set subject_email_sealed =
           (select subject_email_sealed from wardroom.privacy_requests where id = $1) where id = $2`,
        [source.id, victim],
      );
      expect(moved.rowCount).toBe(1);
      const res = await call(t, 'GET', `/api/v1/workspaces/${ws2}/privacy/requests/${victim}`, {
        token,
      });
      expectError(res, 500, 'decryption_failed');
      expect(res.body).not.toContain(email);
    }
    await admin.client.query(
      'update wardroom.privacy_requests set subject_email_sealed = $1 where id = $2',
      [original.rows[0]!.e, target.id],
    );
    const back = await call(t, 'GET', url(`/${target.id}`), { token: adminToken });
    expect(back.json<RequestView>().subject.email).toBe('target@example.test');
  });

  it('refuses members and viewers everything', async () => {
    const made = await create({ type: 'access', subject: { email: 'm@example.test' } });
    expectError(await call(t, 'GET', url(), { token: member }), 403, 'forbidden');
    expectError(await call(t, 'GET', url(`/${made.id}`), { token: member }), 403, 'forbidden');
    expectError(await move(made.id, { to: 'cancelled' }, member), 403, 'forbidden');
  });
});

describe('data residency', () => {
  const residency = () => `/api/v1/workspaces/${ws.id}/privacy/residency`;

  it('lets an owner change the region, audited; new requests follow it, old ones keep their law', async () => {
    now = new Date('2026-01-31T10:00:00Z');
    const before = await create({ type: 'access', subject: { email: 'b@example.test' } });
    expect(before.law.code).toBe('gdpr');
    const read = await call(t, 'GET', residency(), { token: adminToken });
    expect(read.json()).toMatchObject({ region: 'eu', default_law: { code: 'gdpr' } });
    expectError(
      await call(t, 'PUT', residency(), { token: adminToken, payload: { region: 'us' } }),
      403,
      'forbidden',
    );
    expectError(
      await call(t, 'PUT', residency(), { token: ws.ownerToken, payload: { region: 'mars' } }),
      400,
      'validation_failed',
    );
    const changed = await call(t, 'PUT', residency(), {
      token: ws.ownerToken,
      payload: { region: 'us' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ region: 'us', default_law: { code: 'ccpa' } });
    const { rows } = await admin.client.query<{ metadata: unknown; actor_id: string }>(
      `select metadata, actor_id from wardroom.audit_log
        where tenant_id = $1 and action = 'workspace.region_changed'`,
      [ws.id],
    );
    expect(rows.map((r) => r.metadata)).toEqual([{ from: 'eu', to: 'us' }]);
    // The same region again changes nothing and records nothing.
    await call(t, 'PUT', residency(), { token: ws.ownerToken, payload: { region: 'us' } });
    const after = await create({ type: 'access', subject: { email: 'a@example.test' } });
    expect(after).toMatchObject({ law: { code: 'ccpa' }, region: 'us', due_on: '2026-03-17' });
    const old = await call(t, 'GET', url(`/${before.id}`), { token: adminToken });
    expect(old.json<RequestView>()).toMatchObject({ law: { code: 'gdpr' }, region: 'eu' });
    const again = await admin.client.query(
      `select 1 from wardroom.audit_log where tenant_id = $1 and action = 'workspace.region_changed'`,
      [ws.id],
    );
    expect(again.rowCount).toBe(1);
    await call(t, 'PUT', residency(), { token: ws.ownerToken, payload: { region: 'eu' } });
  });
});
