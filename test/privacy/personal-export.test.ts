/**
 * The personal export and who sees which export: any member exports what
 * they wrote and what is recorded about them (readable), and nobody else's
 * messages are in it; a member cannot export the workspace, nor read
 * another member's export record or link (owners included, for a personal
 * export); another workspace's export ids answer not_found; bad bodies are
 * refused and record nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call, expectError, seedContent } from '../support/http.js';
import { unzip, lines, pathOf } from './export-files.js';

interface View {
  id: string;
  scope: string;
  form: string;
  state: string;
  requested_by: string;
  download_url: string | null;
  counts: Record<string, number> | null;
}

let t: TestApp;
let a: TestWorkspace;
let b: TestWorkspace;
let member: { token: string; userId: string };
let other: { token: string; userId: string };
const OWNER = 'owner-words-3d1f';
const MINE = 'member-words-8a2c';
const THEIRS = 'other-words-55e0';

const exports = (ws: TestWorkspace) => `/api/v1/workspaces/${ws.id}/privacy/exports`;

async function post(ws: TestWorkspace, token: string, payload: object) {
  return call(t, 'POST', exports(ws), { token, payload });
}

async function status(ws: TestWorkspace, token: string, id: string) {
  return call(t, 'GET', `${exports(ws)}/${id}`, { token });
}

async function exportRows(wsId: string): Promise<number> {
  const rows = await t.db.withTenant(systemPrincipal(wsId, 'test'), (tx) =>
    tx.selectFrom('privacy_exports').select('id').execute(),
  );
  return rows.length;
}

beforeAll(async () => {
  t = await startTestApp();
  a = await newWorkspace(t);
  b = await newWorkspace(t);
  const seeded = await seedContent(t, a, OWNER);
  member = await memberToken(t, a, 'member');
  other = await memberToken(t, a, 'member');
  const msg = (token: string, content: string) =>
    call(t, 'POST', `/api/v1/workspaces/${a.id}/conversations/${seeded.conversationId}/messages`, {
      token,
      payload: { content },
    });
  for (const [token, content] of [
    [member.token, `${MINE} one`],
    [member.token, `${MINE} two`],
    [other.token, `${THEIRS} one`],
  ] as const) {
    const res = await msg(token, content);
    expect(res.statusCode, res.body).toBe(201);
  }
  await seedContent(t, b, 'bravo-0c4e');
});
afterAll(async () => {
  await t.close();
});

describe('personal export', () => {
  let mine: View;

  it('a member exports their own messages, profile and events, readable, and nobody else’s', async () => {
    const res = await post(a, member.token, { scope: 'personal' });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json<View>()).toMatchObject({
      scope: 'personal',
      form: 'readable',
      state: 'queued',
    });
    const got = await status(a, member.token, res.json<View>().id);
    expect(got.statusCode, got.body).toBe(200);
    mine = got.json<View>();
    expect(mine.state).toBe('completed');
    const file = await call(t, 'GET', pathOf(mine.download_url ?? ''));
    expect(file.statusCode, file.body).toBe(200);
    const files = await unzip(file.rawPayload);
    expect([...files.keys()]).toEqual([
      'profile.json',
      'messages.jsonl',
      'conversations.jsonl',
      'api_tokens.jsonl',
      'audit.jsonl',
      'privacy_requests.jsonl',
      'manifest.json',
    ]);
    const profile = JSON.parse(files.get('profile.json') ?? '') as Record<string, unknown>;
    expect(profile).toMatchObject({ user_id: member.userId, role: 'member' });
    const msgs = lines(files.get('messages.jsonl'));
    expect(msgs.map((m) => m['content']).sort()).toEqual([`${MINE} one`, `${MINE} two`]);
    const convs = lines(files.get('conversations.jsonl'));
    expect(convs.map((c) => c['title'])).toEqual([`${OWNER} thread`]);
    expect(lines(files.get('api_tokens.jsonl'))).toHaveLength(1);
    const audit = lines(files.get('audit.jsonl'));
    expect(audit.length).toBeGreaterThan(0);
    const tokenId = lines(files.get('api_tokens.jsonl'))[0]?.['id'];
    for (const e of audit) expect([member.userId, tokenId]).toContain(e['actor_id']);
    expect(audit.filter((e) => e['action'] === 'message.created')).toHaveLength(2);
    // Nobody else's words, and nothing of the other workspace.
    for (const text of files.values()) {
      expect(text).not.toContain(THEIRS);
      expect(text).not.toContain(`${OWNER} message`);
      expect(text).not.toContain(other.userId);
      expect(text).not.toContain(b.id);
      expect(text).not.toContain('secret_hash');
    }
    expect(mine.counts).toMatchObject({ 'messages.jsonl': 2, 'conversations.jsonl': 1 });
  });

  it('lists only the caller’s own exports to a member; owners see workspace exports, not personal ones', async () => {
    const ownerExport = await post(a, a.ownerToken, { scope: 'workspace', form: 'readable' });
    expect(ownerExport.statusCode, ownerExport.body).toBe(202);
    const ownerId = ownerExport.json<View>().id;
    const list = (token: string) =>
      call(t, 'GET', exports(a), { token }).then((r) => r.json<{ items: View[] }>().items);
    expect((await list(member.token)).map((e) => e.id)).toEqual([mine.id]);
    expect(await list(other.token)).toEqual([]);
    const owners = (await list(a.ownerToken)).map((e) => e.id);
    expect(owners).toContain(ownerId);
    expect(owners).not.toContain(mine.id);
    // The records themselves: not found to anyone but their requester (or owners, for workspace exports).
    expectError(await status(a, member.token, ownerId), 404, 'not_found');
    expectError(await status(a, other.token, mine.id), 404, 'not_found');
    expectError(await status(a, a.ownerToken, mine.id), 404, 'not_found');
  });

  it('refuses a member’s workspace export and bad bodies, recording nothing', async () => {
    const before = await exportRows(a.id);
    expectError(await post(a, member.token, { scope: 'workspace' }), 403, 'forbidden');
    expectError(await post(a, member.token, {}), 403, 'forbidden'); // the default scope is the workspace
    expectError(
      await post(a, member.token, { scope: 'personal', form: 'snapshot' }),
      400,
      'validation_failed',
    );
    expectError(
      await post(a, a.ownerToken, {
        scope: 'personal',
        request_id: '01890000-0000-7000-8000-000000000000',
      }),
      400,
      'validation_failed',
    );
    expectError(await post(a, member.token, { scope: 'everything' }), 400, 'validation_failed');
    expect(await exportRows(a.id)).toBe(before);
  });

  it('answers not_found for another workspace’s export id, and to non-members', async () => {
    // B's owner, in B, asking for A's export id.
    expectError(await status(b, b.ownerToken, mine.id), 404, 'not_found');
    // B's owner, in A.
    expectError(await status(a, b.ownerToken, mine.id), 404, 'not_found');
    expectError(await post(a, b.ownerToken, { scope: 'personal' }), 404, 'not_found');
    const bList = await call(t, 'GET', exports(b), { token: b.ownerToken });
    expect(bList.json<{ items: View[] }>().items).toEqual([]);
  });
});
