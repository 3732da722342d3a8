import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import {
  bearer,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';

let t: TestApp;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp();
  ws = await newWorkspace(t);
});
afterAll(() => t.close());

async function post(url: string, body: unknown, token = ws.ownerToken) {
  return t.app.inject({ method: 'POST', url, payload: body as object, headers: bearer(token) });
}

describe('workrooms, conversations and messages', () => {
  it('creates a workroom, a conversation and messages, and lists them newest last with a cursor', async () => {
    const wr = await post(`/api/v1/workspaces/${ws.id}/workrooms`, { name: 'Launch plan' });
    expect(wr.statusCode).toBe(201);
    const workroom = wr.json<{ id: string; name: string }>();
    expect(workroom.name).toBe('Launch plan');

    const got = await t.app.inject({
      url: `/api/v1/workspaces/${ws.id}/workrooms/${workroom.id}`,
      headers: bearer(ws.ownerToken),
    });
    expect(got.json()).toMatchObject({ id: workroom.id, name: 'Launch plan' });

    const conv = await post(`/api/v1/workspaces/${ws.id}/workrooms/${workroom.id}/conversations`, {
      title: 'Q3',
    });
    expect(conv.statusCode).toBe(201);
    const conversationId = conv.json<{ id: string }>().id;

    const texts = ['first', 'second — ünïcode ✓', 'third', 'fourth', 'fifth'];
    for (const content of texts) {
      const m = await post(`/api/v1/workspaces/${ws.id}/conversations/${conversationId}/messages`, {
        content,
      });
      expect(m.statusCode).toBe(201);
      expect(m.json()).toMatchObject({
        content,
        author_type: 'user',
        conversation_id: conversationId,
      });
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const res = await t.app.inject({
        url: `/api/v1/workspaces/${ws.id}/conversations/${conversationId}/messages${q}`,
        headers: bearer(ws.ownerToken),
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ items: { content: string }[]; next_cursor: string | null }>();
      seen.push(...body.items.map((i) => i.content));
      cursor = body.next_cursor;
      pages += 1;
    } while (cursor !== null);
    expect(seen).toEqual(texts);
    expect(pages).toBe(3);
  });

  it('stores message content only as ciphertext', async () => {
    const wr = (await post(`/api/v1/workspaces/${ws.id}/workrooms`, { name: 'Secret room' })).json<{
      id: string;
    }>();
    const conv = (
      await post(`/api/v1/workspaces/${ws.id}/workrooms/${wr.id}/conversations`, {})
    ).json<{ id: string }>();
    const secret = `unannounced launch ${Math.random()}`;
    const m = (
      await post(`/api/v1/workspaces/${ws.id}/conversations/${conv.id}/messages`, {
        content: secret,
      })
    ).json<{ id: string }>();

    const admin = new pg.Client({ connectionString: inject('adminUrl') });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ content: Buffer; dump: string }>(
        'select content, m::text as dump from wardroom.messages m where tenant_id = $1 and id = $2',
        [ws.id, m.id],
      );
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row.content.includes(Buffer.from(secret))).toBe(false);
      expect(row.dump).not.toContain(secret);
      expect(row.content[0]).toBe(2); // envelope format version
    } finally {
      await admin.end();
    }
  });
});

describe('reading conversations', () => {
  const get = (url: string, token = ws.ownerToken) =>
    t.app.inject({ method: 'GET', url, headers: bearer(token) });

  it("lists a workroom's conversations oldest first, with titles opened, page by page", async () => {
    const wr = (await post(`/api/v1/workspaces/${ws.id}/workrooms`, { name: 'Board' })).json<{
      id: string;
    }>();
    const other = (await post(`/api/v1/workspaces/${ws.id}/workrooms`, { name: 'Other' })).json<{
      id: string;
    }>();
    const titles = ['Q1', null, 'Q3'];
    const ids: string[] = [];
    for (const title of titles) {
      const res = await post(`/api/v1/workspaces/${ws.id}/workrooms/${wr.id}/conversations`, {
        title,
      });
      ids.push(res.json<{ id: string }>().id);
    }
    await post(`/api/v1/workspaces/${ws.id}/workrooms/${other.id}/conversations`, { title: 'x' });
    const url = `/api/v1/workspaces/${ws.id}/workrooms/${wr.id}/conversations`;
    const first = (await get(`${url}?limit=2`)).json<{
      items: { id: string; title: string | null }[];
      next_cursor: string | null;
    }>();
    expect(first.items.map((c) => [c.id, c.title])).toEqual([
      [ids[0], 'Q1'],
      [ids[1], null],
    ]);
    expect(first.next_cursor).not.toBeNull();
    const second = (await get(`${url}?limit=2&cursor=${first.next_cursor ?? ''}`)).json<{
      items: { id: string; title: string | null }[];
      next_cursor: string | null;
    }>();
    expect(second.items.map((c) => [c.id, c.title])).toEqual([[ids[2], 'Q3']]);
    expect(second.next_cursor).toBeNull();

    const one = await get(`/api/v1/workspaces/${ws.id}/conversations/${ids[0] ?? ''}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: ids[0], workroom_id: wr.id, title: 'Q1' });
  });

  it("answers 404 for a missing workroom or conversation, and for another workspace's", async () => {
    const elsewhere = await newWorkspace(t);
    const wr = (
      await post(
        `/api/v1/workspaces/${elsewhere.id}/workrooms`,
        { name: 'Theirs' },
        elsewhere.ownerToken,
      )
    ).json<{ id: string }>();
    const conv = (
      await post(
        `/api/v1/workspaces/${elsewhere.id}/workrooms/${wr.id}/conversations`,
        { title: 'secret' },
        elsewhere.ownerToken,
      )
    ).json<{ id: string }>();
    for (const url of [
      `/api/v1/workspaces/${ws.id}/workrooms/${wr.id}/conversations`,
      `/api/v1/workspaces/${ws.id}/conversations/${conv.id}`,
      `/api/v1/workspaces/${ws.id}/workrooms/${crypto.randomUUID()}/conversations`,
      `/api/v1/workspaces/${ws.id}/conversations/${crypto.randomUUID()}`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});

describe('reading a conversation newest first', () => {
  const get = (url: string, token = ws.ownerToken) =>
    t.app.inject({ method: 'GET', url, headers: bearer(token) });

  it('pages back in time with order=newest_first, and refuses an unknown order', async () => {
    const wr = (await post(`/api/v1/workspaces/${ws.id}/workrooms`, { name: 'Chat' })).json<{
      id: string;
    }>();
    const conv = (
      await post(`/api/v1/workspaces/${ws.id}/workrooms/${wr.id}/conversations`, {})
    ).json<{ id: string }>();
    const url = `/api/v1/workspaces/${ws.id}/conversations/${conv.id}/messages`;
    const texts = ['one', 'two', 'three', 'four', 'five'];
    for (const content of texts) await post(url, { content });

    const seen: string[][] = [];
    let cursor: string | null = null;
    do {
      const q: string = `?order=newest_first&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`;
      const res = await get(`${url}${q}`);
      expect(res.statusCode).toBe(200);
      const body = res.json<{ items: { content: string }[]; next_cursor: string | null }>();
      seen.push(body.items.map((i) => i.content));
      cursor = body.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual([['five', 'four'], ['three', 'two'], ['one']]);

    // The default stays oldest first.
    const plain = (await get(`${url}?limit=2`)).json<{ items: { content: string }[] }>();
    expect(plain.items.map((i) => i.content)).toEqual(['one', 'two']);

    const bad = await get(`${url}?order=sideways`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_failed' } });

    // Another workspace's conversation stays invisible whatever the order.
    const elsewhere = await newWorkspace(t);
    const theirs = await get(
      `/api/v1/workspaces/${elsewhere.id}/conversations/${conv.id}/messages?order=newest_first`,
      elsewhere.ownerToken,
    );
    expect(theirs.statusCode).toBe(404);
  });
});
