/**
 * A request that fails must not poison what later requests see. One message
 * whose ciphertext was corrupted (here by the superuser) fails the listing
 * with decryption_failed; the opens of the other messages of that page were
 * still queued on the transaction's connection, and used to run after its
 * ROLLBACK with no tenant set, read "no primary key" and keep that in the
 * key cache, so the workspace's next writes failed with key_unavailable
 * until the policy expired.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bearer,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';

let t: TestApp;
let ws: TestWorkspace;
let admin: pg.Client;
beforeAll(async () => {
  t = await startTestApp();
  ws = await newWorkspace(t);
  admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await t.close();
});

async function post(url: string, body: object) {
  return t.app.inject({ method: 'POST', url, payload: body, headers: bearer(ws.ownerToken) });
}

async function conversationWithMessages(count: number): Promise<{ conv: string; ids: string[] }> {
  const room = (await post(`/api/v1/workspaces/${ws.id}/workrooms`, { name: 'Room' })).json<{
    id: string;
  }>();
  const conv = (
    await post(`/api/v1/workspaces/${ws.id}/workrooms/${room.id}/conversations`, {})
  ).json<{ id: string }>().id;
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const m = await post(`/api/v1/workspaces/${ws.id}/conversations/${conv}/messages`, {
      content: `message ${i}`,
    });
    expect(m.statusCode).toBe(201);
    ids.push(m.json<{ id: string }>().id);
  }
  return { conv, ids };
}

describe('a failed request', () => {
  it('leaves the next write of the workspace working after a corrupted message fails a read', async () => {
    const { conv, ids } = await conversationWithMessages(6);
    // Flip the last byte (inside the tag) of the first message: its header still reads.
    await admin.query(
      `update wardroom.messages
          set content = overlay(content placing
                set_byte('\\x00'::bytea, 0, get_byte(content, length(content) - 1) # 255)
                from length(content))
        where tenant_id = $1 and id = $2`,
      [ws.id, ids[0]],
    );
    // As after the policy's cache expired: the page's opens each load it.
    t.keyring.invalidate(ws.id);
    const list = await t.app.inject({
      url: `/api/v1/workspaces/${ws.id}/conversations/${conv}/messages`,
      headers: bearer(ws.ownerToken),
    });
    expect(list.statusCode).toBe(500);
    expect(list.json()).toMatchObject({ error: { code: 'decryption_failed' } });

    const next = await post(`/api/v1/workspaces/${ws.id}/conversations/${conv}/messages`, {
      content: 'still writable',
    });
    expect(next.json()).toMatchObject({ content: 'still writable' });
    expect(next.statusCode).toBe(201);
  });
});
