/**
 * A sealed value is bound to what it means, not only to its row: an
 * administrator editing rows past the API (as the superuser) cannot move a
 * message to another conversation, give it another author, or put back a
 * credential's secret from before a replace, and have it served. Each such
 * edit makes the value fail to open (decryption_failed), and no plaintext
 * reaches the response.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call, expectError, seedContent } from '../support/http.js';
import { helpers, unique } from '../support/credentials.js';

let t: TestApp;
let admin: Admin;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  ws = await newWorkspace(t);
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const messagesUrl = (conversationId: string) =>
  `/api/v1/workspaces/${ws.id}/conversations/${conversationId}/messages`;
const list = (conversationId: string) =>
  call(t, 'GET', messagesUrl(conversationId), { token: ws.ownerToken });

async function edit(sql: string, params: unknown[]): Promise<void> {
  const result = await admin.client.query(sql, params);
  expect(result.rowCount).toBe(1);
}

describe('a ciphertext bound to what it means', () => {
  it('is not served in another conversation it was moved to, nor any more where it was', async () => {
    const source = await seedContent(t, ws, `src-${unique()}`);
    const target = await seedContent(t, ws, `dst-${unique()}`);
    expect((await list(target.conversationId)).json()).toMatchObject({ items: [{}] });
    await edit(
      'update wardroom.messages set conversation_id = $1 where tenant_id = $2 and id = $3',
      [target.conversationId, ws.id, source.messageId],
    );
    const moved = await list(target.conversationId);
    expectError(moved, 500, 'decryption_failed');
    expect(moved.body).not.toContain('src-');
    const left = await list(source.conversationId);
    expect(left.statusCode, left.body).toBe(200);
    expect(left.json()).toEqual({ items: [], next_cursor: null });
    // Moved back, it opens again: nothing but the binding refused it.
    await edit(
      'update wardroom.messages set conversation_id = $1 where tenant_id = $2 and id = $3',
      [source.conversationId, ws.id, source.messageId],
    );
    const back = (await list(source.conversationId)).json<{ items: { content: string }[] }>();
    expect(back.items.map((m) => m.content)).toEqual([expect.stringMatching(/^src-.* message$/)]);
  });

  it('does not open once its author is changed, to another member or another author type', async () => {
    const seeded = await seedContent(t, ws, `author-${unique()}`);
    const other = await memberToken(t, ws, 'member');
    const edits: [string, string | null][] = [
      ['user', other.userId],
      ['agent', ws.ownerUserId],
      ['user', null],
    ];
    for (const [type, id] of edits) {
      await edit(
        'update wardroom.messages set author_type = $1, author_id = $2 where tenant_id = $3 and id = $4',
        [type, id, ws.id, seeded.messageId],
      );
      const res = await list(seeded.conversationId);
      expectError(res, 500, 'decryption_failed', `${type} ${id}`);
      expect(res.body).not.toContain('author-');
    }
  });

  it('fails on a tampered format marker: format 2 relabelled as format 1 does not open', async () => {
    const seeded = await seedContent(t, ws, `marker-${unique()}`);
    await edit(
      'update wardroom.messages set content = set_byte(content, 0, 1) where tenant_id = $1 and id = $2',
      [ws.id, seeded.messageId],
    );
    expectError(await list(seeded.conversationId), 500, 'decryption_failed');
  });

  it('does not open a credential secret put back from before a replace', async () => {
    const { created, open, storedSecret } = helpers(
      () => t,
      () => admin,
      () => ws,
    );
    const first = `sk-ant-first-${unique()}`;
    const made = await created({
      kind: 'llm_api_key',
      provider: 'anthropic',
      label: `restore ${unique()}`,
      secret: { value: first },
    });
    const saved = await storedSecret(made.id);
    const res = await call(t, 'PUT', `/api/v1/workspaces/${ws.id}/credentials/${made.id}`, {
      token: ws.ownerToken,
      payload: { secret: { value: `sk-ant-second-${unique()}` } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { rows } = await admin.client.query<{ version: number }>(
      'select version from wardroom.integration_credentials where id = $1',
      [made.id],
    );
    expect(rows[0]?.version).toBe(2);
    await edit(
      'update wardroom.integration_credentials set secret = $1 where tenant_id = $2 and id = $3',
      [saved, ws.id, made.id],
    );
    await expect(open(made.id)).rejects.toMatchObject({ code: 'decryption_failed' });
  });
});
