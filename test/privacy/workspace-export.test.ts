/**
 * The workspace export over HTTP: an owner's export is a zip holding the
 * workspace, members, workrooms, conversations, messages and audit log with
 * the expected row counts; the readable form opens the content, the
 * snapshot keeps it sealed (no plaintext anywhere in the file); another
 * workspace's content never appears; members and admins are refused; the
 * emailed link downloads the same bytes through /api/v1/objects/download;
 * the two audit events carry no personal data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzip } from '../support/zip.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { runWorkspaceExport, type ExportMailer } from '../../src/modules/privacy/index.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call, expectError, seedContent } from '../support/http.js';

interface Sent {
  to: string;
  url: string;
  form: string;
  expiresAt: Date;
}
const sent: Sent[] = [];
const mailer: ExportMailer = {
  sendExportReady(_principal, message) {
    sent.push(message);
    return Promise.resolve({ sent: true, error_code: null });
  },
};

interface ExportView {
  id: string;
  form: string;
  state: string;
  file_name: string;
  size: number;
  counts: Record<string, number>;
  download_url: string;
  expires_at: string;
}

let t: TestApp;
let a: TestWorkspace;
let b: TestWorkspace;
const A = 'alpha-7f3c';
const B = 'bravo-91de';

beforeAll(async () => {
  t = await startTestApp({ exportMailer: mailer });
  a = await newWorkspace(t);
  b = await newWorkspace(t);
  await seedContent(t, a, A);
  const second = await seedContent(t, a, `${A}-2`);
  await call(
    t,
    'POST',
    `/api/v1/workspaces/${a.id}/conversations/${second.conversationId}/messages`,
    {
      token: a.ownerToken,
      payload: { content: `${A} another message` },
    },
  );
  await seedContent(t, b, B);
});
afterAll(async () => {
  await t.close();
});

const lines = (s: string | undefined): Record<string, unknown>[] =>
  (s ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function exportEvents(wsId: string): Promise<number> {
  const rows = await t.db.withTenant(systemPrincipal(wsId, 'test'), (tx) =>
    tx.selectFrom('audit_log').select('id').where('action', 'like', 'privacy.export.%').execute(),
  );
  return rows.length;
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

async function exportOf(ws: TestWorkspace, form: string, token = ws.ownerToken) {
  return call(t, 'POST', `/api/v1/workspaces/${ws.id}/privacy/exports`, {
    token,
    payload: { form },
  });
}

/** Starts an export (202, queued) and reads it back once its job has run (completed). */
async function finished(ws: TestWorkspace, form: string): Promise<ExportView> {
  const res = await exportOf(ws, form);
  expect(res.statusCode, res.body).toBe(202);
  expect(res.json<ExportView>().state).toBe('queued');
  const got = await call(
    t,
    'GET',
    `/api/v1/workspaces/${ws.id}/privacy/exports/${res.json<ExportView>().id}`,
    {
      token: ws.ownerToken,
    },
  );
  expect(got.statusCode, got.body).toBe(200);
  const view = got.json<ExportView>();
  expect(view.state).toBe('completed');
  return view;
}

async function download(view: ExportView): Promise<Buffer> {
  const res = await call(t, 'GET', pathOf(view.download_url));
  expect(res.statusCode, res.body).toBe(200);
  return res.rawPayload;
}

describe('workspace export', () => {
  it('the readable form holds every collection, opened, with the expected counts', async () => {
    sent.length = 0;
    const view = await finished(a, 'readable');
    expect(view.form).toBe('readable');
    expect(sent).toHaveLength(1);
    const files = await unzip(await download(view));
    expect([...files.keys()]).toEqual([
      'workspace.json',
      'members.jsonl',
      'workrooms.jsonl',
      'conversations.jsonl',
      'messages.jsonl',
      'audit.jsonl',
      'manifest.json',
    ]);
    const ws = JSON.parse(files.get('workspace.json') ?? '') as { id: string };
    expect(ws.id).toBe(a.id);
    expect(lines(files.get('members.jsonl'))).toHaveLength(1);
    const rooms = lines(files.get('workrooms.jsonl'));
    expect(rooms.map((r) => r['name']).sort()).toEqual([`${A} room`, `${A}-2 room`]);
    const convs = lines(files.get('conversations.jsonl'));
    expect(convs.map((r) => r['title']).sort()).toEqual([`${A} thread`, `${A}-2 thread`]);
    const msgs = lines(files.get('messages.jsonl'));
    expect(msgs.map((r) => r['content']).sort()).toEqual([
      `${A} another message`,
      `${A} message`,
      `${A}-2 message`,
    ]);
    const audit = lines(files.get('audit.jsonl'));
    expect(audit.length).toBeGreaterThan(3);
    expect(audit.every((e) => e['tenant_id'] === a.id)).toBe(true);
    expect(audit.some((e) => e['action'] === 'privacy.export.created')).toBe(true);
    expect(view.counts).toMatchObject({
      'members.jsonl': 1,
      'workrooms.jsonl': 2,
      'conversations.jsonl': 2,
      'messages.jsonl': 3,
      'audit.jsonl': audit.length,
    });
    const manifest = JSON.parse(files.get('manifest.json') ?? '') as { counts: object };
    expect(manifest.counts).toEqual(view.counts);
    // Nothing of workspace B, anywhere in the file.
    for (const text of files.values()) {
      expect(text).not.toContain(B);
      expect(text).not.toContain(b.id);
    }
  });

  it('the snapshot keeps content sealed: no plaintext of it anywhere in the file', async () => {
    const view = await finished(a, 'snapshot');
    const files = await unzip(await download(view));
    for (const text of files.values()) expect(text).not.toContain(A);
    const msgs = lines(files.get('messages.jsonl'));
    expect(msgs).toHaveLength(3);
    for (const m of msgs) {
      expect(m['content']).toBeUndefined();
      expect(typeof m['content_sealed']).toBe('string');
      expect(Buffer.from(m['content_sealed'] as string, 'base64').length).toBeGreaterThan(20);
    }
    expect(lines(files.get('workrooms.jsonl')).every((r) => 'name_sealed' in r)).toBe(true);
  });

  it('workspace B exports only its own content', async () => {
    const files = await unzip(await download(await finished(b, 'readable')));
    const msgs = lines(files.get('messages.jsonl'));
    expect(msgs.map((m) => m['content'])).toEqual([`${B} message`]);
    for (const text of files.values()) {
      expect(text).not.toContain(A);
      expect(text).not.toContain(a.id);
    }
  });

  it('the emailed link goes to the owner and downloads the same bytes as the status link', async () => {
    sent.length = 0;
    const view = await finished(a, 'readable');
    expect(sent).toHaveLength(1);
    const mail = sent[0];
    expect(mail?.to).toMatch(/^owner-[0-9a-f]+@example\.test$/);
    expect(mail?.expiresAt.toISOString()).toBe(view.expires_at);
    const days = (Date.parse(view.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    const first = await download(view);
    const again = await call(t, 'GET', pathOf(mail?.url ?? ''));
    expect(again.rawPayload.equals(first)).toBe(true);
    expect(first.length).toBeGreaterThan(0);
  });

  it('records created, started and completed, with counts and no personal data', async () => {
    const view = await finished(a, 'readable');
    const events = await t.db.withTenant(systemPrincipal(a.id, 'test'), (tx) =>
      tx
        .selectFrom('audit_log')
        .select(['action', 'targets', 'metadata'])
        .where('action', 'in', [
          'privacy.export.created',
          'privacy.export.started',
          'privacy.export.completed',
        ])
        .execute(),
    );
    const mine = events.filter((e) => e.targets.some((x) => x.id === view.id));
    expect(mine.map((e) => e.action).sort()).toEqual([
      'privacy.export.completed',
      'privacy.export.created',
      'privacy.export.started',
    ]);
    const completed = mine.find((e) => e.action === 'privacy.export.completed');
    expect(completed?.metadata).toMatchObject({ form: 'readable', rows_messages: 3 });
    const text = JSON.stringify(mine);
    expect(text).not.toContain('@');
    expect(text).not.toContain(A);
  });

  it('refuses members and admins, and a bad form, changing nothing', async () => {
    const before = await exportEvents(a.id);
    const member = await memberToken(t, a, 'member');
    expectError(await exportOf(a, 'readable', member.token), 403, 'forbidden');
    const admin = await memberToken(t, a, 'admin');
    expectError(await exportOf(a, 'readable', admin.token), 403, 'forbidden');
    expectError(await exportOf(a, 'plaintext'), 400, 'validation_failed');
    // An owner of B cannot export A: to B's owner, A does not exist.
    expectError(await exportOf(a, 'readable', b.ownerToken), 404, 'not_found');
    expect(await exportEvents(a.id)).toBe(before);
  });

  it('pages of one row give the same file content (keyset paging crosses pages)', async () => {
    const principal = systemPrincipal(a.id, 'test', 'test');
    const one = await t.db.withTenant(principal, (tx) =>
      runWorkspaceExport(
        tx,
        { keyring: t.keyring, storage: t.storage, pageSize: 1 },
        { form: 'readable', requesterId: a.ownerUserId },
      ),
    );
    expect(one.counts).toMatchObject({
      'members.jsonl': 3, // the owner, and the member and admin of the test before
      'workrooms.jsonl': 2,
      'conversations.jsonl': 2,
      'messages.jsonl': 3,
    });
    expect(one.email).toEqual({ sent: false, error_code: 'mail_unavailable' });
    const files = await unzip(await download(one));
    const ids = lines(files.get('messages.jsonl')).map((m) => m['id']);
    expect(new Set(ids).size).toBe(3);
    const seqs = lines(files.get('audit.jsonl')).length;
    expect(seqs).toBe(one.counts['audit.jsonl']);
  });
});

describe('an export answering an access request', () => {
  const requests = () => `/api/v1/workspaces/${a.id}/privacy/requests`;
  async function request(type: string, to: string[]): Promise<string> {
    const res = await call(t, 'POST', requests(), {
      token: a.ownerToken,
      payload: { type, subject: { email: 'subject@example.test' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json<{ id: string }>().id;
    for (const state of to) {
      const moved = await call(t, 'POST', `${requests()}/${id}/transitions`, {
        token: a.ownerToken,
        payload: { to: state },
      });
      expect(moved.statusCode, moved.body).toBe(200);
    }
    return id;
  }
  const stateOf = async (id: string) =>
    (await call(t, 'GET', `${requests()}/${id}`, { token: a.ownerToken })).json<{
      state: string;
    }>().state;

  it('completes an access request in progress, and ties them in the log', async () => {
    const id = await request('access', ['identity_verified', 'in_progress']);
    const res = await call(t, 'POST', `/api/v1/workspaces/${a.id}/privacy/exports`, {
      token: a.ownerToken,
      payload: { form: 'readable', request_id: id },
    });
    expect(res.statusCode, res.body).toBe(202);
    const view = res.json<ExportView & { request_id: string }>();
    expect(view.request_id).toBe(id);
    expect(await stateOf(id)).toBe('completed');
    const tie = await t.db.withTenant(systemPrincipal(a.id, 'test'), (tx) =>
      tx
        .selectFrom('audit_log')
        .select(['targets', 'metadata'])
        .where('action', '=', 'privacy.request.exported')
        .execute(),
    );
    expect(tie.some((e) => JSON.stringify(e.targets).includes(view.id))).toBe(true);
    expect(JSON.stringify(tie)).not.toContain('subject@');
  });

  it('refuses a request not yet verified, a deletion request, an unknown one: nothing exported', async () => {
    const before = await exportEvents(a.id);
    const received = await request('access', []);
    // A deletion request goes in progress only with its typed confirmation (deletion-requests.test.ts).
    const deletion = await request('deletion', ['identity_verified']);
    const post = (requestId: string) =>
      call(t, 'POST', `/api/v1/workspaces/${a.id}/privacy/exports`, {
        token: a.ownerToken,
        payload: { form: 'snapshot', request_id: requestId },
      });
    expectError(await post(received), 409, 'privacy_transition_invalid');
    expectError(await post(deletion), 409, 'privacy_transition_invalid');
    expectError(await post('01890000-0000-7000-8000-000000000000'), 404, 'not_found');
    // B's request id, used in A: not found there.
    const bRequest = await call(t, 'POST', `/api/v1/workspaces/${b.id}/privacy/requests`, {
      token: b.ownerToken,
      payload: { type: 'access', subject: { email: 'b-subject@example.test' } },
    });
    expectError(await post(bRequest.json<{ id: string }>().id), 404, 'not_found');
    expect(await stateOf(received)).toBe('received');
    expect(await stateOf(deletion)).toBe('identity_verified');
    expect(await exportEvents(a.id)).toBe(before);
  });
});
