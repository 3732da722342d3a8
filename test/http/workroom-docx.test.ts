/**
 * A workroom as .docx: the file opens (a real zip with word/document.xml),
 * holds the workroom's name, its conversations and their messages in order,
 * opened, with their authors' display names; hostile names give a safe
 * download name; another workspace's workroom, a caller without access, a
 * workroom over the limit and a shredded workspace are refused, and a
 * refusal records nothing.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import { createApiToken } from '../../src/modules/tenancy/api-tokens.js';
import { MAX_TRANSCRIPT_MESSAGES } from '../../src/modules/workrooms/transcript.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { docxParagraphs } from '../support/docx.js';
import { call, expectError } from '../support/http.js';
import { connectSuperuser } from '../support/keys.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

let t: TestApp;
let ws: TestWorkspace;
let admin: pg.Client;
beforeAll(async () => {
  t = await startTestApp();
  ws = await newWorkspace(t);
  admin = await connectSuperuser();
});
afterAll(async () => {
  await admin.end();
  await t.close();
});

async function post<T>(url: string, payload: object, token = ws.ownerToken): Promise<T> {
  const res = await call(t, 'POST', url, { token, payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<T>();
}

const exportUrl = (w: { id: string }, workroomId: string) =>
  `/api/v1/workspaces/${w.id}/workrooms/${workroomId}/export.docx`;

/** A member invited with a display name, and an API token for them. */
async function namedMember(w: TestWorkspace, name: string): Promise<string> {
  const invited = await post<{ user_id: string }>(`/api/v1/workspaces/${w.id}/members`, {
    email: `named-${Date.now()}-${Math.random().toString(16).slice(2)}@example.test`,
    role: 'member',
    display_name: name,
  });
  const principal = systemPrincipal(w.id, 'test', 'test');
  const { token } = await t.db.withTenant(principal, (tx) =>
    createApiToken(tx, { userId: invited.user_id, name: 'docx' }),
  );
  return token;
}

async function exportedEvents(workspaceId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await admin.query<{ metadata: Record<string, unknown> }>(
    `select metadata from wardroom.audit_log where tenant_id = $1 and action = 'workroom.exported'`,
    [workspaceId],
  );
  return rows.map((r) => r.metadata);
}

async function workroomWith(
  w: TestWorkspace,
  name: string,
  threads: { title: string | null; messages: { content: string; token?: string }[] }[],
): Promise<string> {
  const room = await post<{ id: string }>(
    `/api/v1/workspaces/${w.id}/workrooms`,
    { name },
    w.ownerToken,
  );
  for (const thread of threads) {
    const conv = await post<{ id: string }>(
      `/api/v1/workspaces/${w.id}/workrooms/${room.id}/conversations`,
      { title: thread.title },
      w.ownerToken,
    );
    for (const m of thread.messages) {
      await post(
        `/api/v1/workspaces/${w.id}/conversations/${conv.id}/messages`,
        { content: m.content },
        m.token ?? w.ownerToken,
      );
    }
  }
  return room.id;
}

describe('GET /workrooms/:id/export.docx', () => {
  it('is a Word document with the conversations and their messages, in order, opened', async () => {
    const ada = await namedMember(ws, 'Ada Lovelace');
    const id = await workroomWith(ws, 'Launch proposal', [
      {
        title: 'Scope',
        messages: [
          { content: 'first: the scope' },
          { content: 'second — ünïcode ✓ <b>&amp;</b>', token: ada },
          { content: 'third line one\nthird line two' },
        ],
      },
      { title: null, messages: [{ content: 'fourth, in the untitled one' }] },
      { title: 'Empty', messages: [] },
    ]);
    const res = await call(t, 'GET', exportUrl(ws, id), { token: ws.ownerToken });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe(DOCX);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="Launch-proposal-${id.slice(0, 8)}.docx"`,
    );
    const text = await docxParagraphs(res.rawPayload);
    expect(text[0]).toBe('Launch proposal');
    expect(text[1]).toMatch(/^Workroom export: 3 conversations, 4 messages\./);
    const expected = [
      'Scope',
      'first: the scope',
      'Ada Lovelace',
      'second — ünïcode ✓ <b>&amp;</b>',
      'third line one',
      'third line two',
      'Untitled conversation',
      'fourth, in the untitled one',
      'Empty',
      'No messages.',
    ];
    let at = 0;
    for (const want of expected) {
      const found = text.findIndex((p, i) => i >= at && p.startsWith(want));
      expect(found, `"${want}" after paragraph ${at} in ${JSON.stringify(text)}`).toBeGreaterThan(
        -1,
      );
      at = found + 1;
    }
    expect(await exportedEvents(ws.id)).toContainEqual({
      format: 'docx',
      conversations: 3,
      messages: 4,
      size: res.rawPayload.length,
    });
  });

  it('gives hostile workroom names a safe download name', async () => {
    const names: [string, RegExp][] = [
      ['a"b\r\nSet-Cookie: x=1', /^a-b-Set-Cookie-x-1-[0-9a-f]{8}\.docx$/],
      ['../../etc/passwd', /^etc-passwd-[0-9a-f]{8}\.docx$/],
      ['C:\\Windows\\system32', /^C-Windows-system32-[0-9a-f]{8}\.docx$/],
      ['Café Zürich ✓', /^Cafe-Zurich-[0-9a-f]{8}\.docx$/],
      ['会议记录', /^workroom-[0-9a-f]{8}\.docx$/],
      ['...', /^workroom-[0-9a-f]{8}\.docx$/],
      ['x'.repeat(200), /^x{60}-[0-9a-f]{8}\.docx$/],
    ];
    for (const [name, pattern] of names) {
      const id = await workroomWith(ws, name, []);
      const res = await call(t, 'GET', exportUrl(ws, id), { token: ws.ownerToken });
      expect(res.statusCode, res.body).toBe(200);
      const disposition = String(res.headers['content-disposition']);
      const file = /^attachment; filename="([^"]*)"$/.exec(disposition)?.[1] ?? '';
      expect(file, name).toMatch(pattern);
      // The name itself is in the document, intact.
      const text = await docxParagraphs(res.rawPayload);
      expect(text[0]?.replace(/\s+/g, ' ')).toBe(name.replace(/\s+/g, ' '));
    }
  });

  it("answers not_found for another workspace's workroom, and records nothing", async () => {
    const other = await newWorkspace(t);
    const theirs = await workroomWith(other, 'Theirs', [
      { title: 'secret', messages: [{ content: 'not yours' }] },
    ]);
    const res = await call(t, 'GET', exportUrl(ws, theirs), { token: ws.ownerToken });
    expectError(res, 404, 'not_found');
    expect(await exportedEvents(other.id)).toEqual([]);
    // Their own owner reads it through their own workspace.
    const own = await call(t, 'GET', exportUrl(other, theirs), { token: other.ownerToken });
    expect(own.statusCode).toBe(200);
  });

  it('refuses a caller without access as the workroom reads do', async () => {
    const other = await newWorkspace(t);
    const id = await workroomWith(ws, 'Members only', []);
    const before = await exportedEvents(ws.id);
    const read = await call(t, 'GET', `/api/v1/workspaces/${ws.id}/workrooms/${id}`, {
      token: other.ownerToken,
    });
    const res = await call(t, 'GET', exportUrl(ws, id), { token: other.ownerToken });
    expect(res.statusCode).toBe(read.statusCode);
    expectError(res, read.statusCode, read.json<{ error: { code: string } }>().error.code);
    expect([401, 403, 404]).toContain(res.statusCode);
    const anonymous = await call(t, 'GET', exportUrl(ws, id));
    expectError(anonymous, 401, 'unauthenticated');
    expect(await exportedEvents(ws.id)).toEqual(before);
  });

  it('refuses a workroom above the message limit with export_too_large, recording nothing', async () => {
    const w = await newWorkspace(t);
    const id = await workroomWith(w, 'Huge', [{ title: 'bulk', messages: [{ content: 'one' }] }]);
    const { rows } = await admin.query<{ id: string }>(
      'select id from wardroom.conversations where tenant_id = $1 and workroom_id = $2',
      [w.id, id],
    );
    // Rows past the limit, as the owner role: the check counts before anything is opened.
    await admin.query(
      `insert into wardroom.messages (tenant_id, id, conversation_id, author_type, author_id, content)
       select $1, gen_random_uuid(), $2, 'system', null, '\\x00'::bytea from generate_series(1, $3)`,
      [w.id, rows[0]?.id, MAX_TRANSCRIPT_MESSAGES],
    );
    const res = await call(t, 'GET', exportUrl(w, id), { token: w.ownerToken });
    expectError(res, 413, 'export_too_large');
    expect(await exportedEvents(w.id)).toEqual([]);
  });

  it('answers workspace_shredded once the workspace is shredded', async () => {
    const w = await newWorkspace(t);
    const id = await workroomWith(w, 'Shred me', [{ title: 'a', messages: [{ content: 'b' }] }]);
    const { rows } = await admin.query<{ name: string }>(
      'select name from wardroom.workspaces where tenant_id = $1',
      [w.id],
    );
    const shred = await call(t, 'POST', `/api/v1/workspaces/${w.id}/shred`, {
      token: w.ownerToken,
      payload: { confirm: rows[0]?.name ?? '' },
    });
    expect(shred.statusCode, shred.body).toBe(200);
    expectError(
      await call(t, 'GET', exportUrl(w, id), { token: w.ownerToken }),
      410,
      'workspace_shredded',
    );
    expect(await exportedEvents(w.id)).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('declares the .docx download as binary', async () => {
    const res = await call(t, 'GET', '/api/v1/openapi.json');
    const doc = res.json<{
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
    }>();
    const route = doc.paths['/api/v1/workspaces/{ws}/workrooms/{id}/export.docx'];
    expect(route?.get?.responses['200']).toMatchObject({
      content: { [DOCX]: { schema: { type: 'string', format: 'binary' } } },
    });
    expect(route?.get?.responses['413']).toBeDefined();
  });
});
