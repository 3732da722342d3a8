/**
 * Agents over HTTP, by role: admins and owners create, edit, archive and
 * restore agents and see their system prompts; members and viewers list and
 * read them without the prompt, and their attempts to change one answer 403
 * and change nothing. Every create and edit is an audit event naming the
 * changed columns, and no event holds prompt text.
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

interface AgentView {
  id: string;
  name: string;
  provider: string;
  model: string;
  max_output_tokens: number;
  status: 'active' | 'archived';
  system_prompt?: string;
  created_by: string | null;
  archived_at: string | null;
}

let t: TestApp;
let admin: Admin;
let ws: TestWorkspace;
let adminToken: string;
let member: string;
let viewer: string;
beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  ws = await newWorkspace(t);
  adminToken = (await memberToken(t, ws, 'admin')).token;
  member = (await memberToken(t, ws, 'member')).token;
  viewer = (await memberToken(t, ws, 'viewer')).token;
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const unique = () => randomBytes(6).toString('hex');
const url = (id?: string, query = '') =>
  `/api/v1/workspaces/${ws.id}/agents${id === undefined ? '' : `/${id}`}${query}`;

async function create(token: string, body: object): Promise<AgentView> {
  const res = await call(t, 'POST', url(), { token, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<AgentView>();
}

async function patch(token: string, id: string, body: object): Promise<AgentView> {
  const res = await call(t, 'PATCH', url(id), { token, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<AgentView>();
}

/** Every audit event of the workspace, as text. */
async function auditText(): Promise<string[]> {
  const { rows } = await admin.client.query<{ row: string }>(
    'select row_to_json(a)::text as row from wardroom.audit_log a where tenant_id = $1',
    [ws.id],
  );
  return rows.map((r) => r.row);
}

describe('agents by role', () => {
  it('lets an admin create an agent, and shows its prompt to admins and owners only', async () => {
    const prompt = `You are the board-pack analyst ${unique()}.`;
    const made = await create(adminToken, {
      name: `Analyst ${unique()}`,
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      system_prompt: prompt,
    });
    expect(made).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      max_output_tokens: 4096,
      status: 'active',
      system_prompt: prompt,
      archived_at: null,
    });
    for (const token of [adminToken, ws.ownerToken]) {
      const one = await call(t, 'GET', url(made.id), { token });
      expect(one.json<AgentView>().system_prompt).toBe(prompt);
      const list = await call(t, 'GET', url(), { token });
      const listed = list.json<{ items: AgentView[] }>().items.find((a) => a.id === made.id);
      expect(listed?.system_prompt).toBe(prompt);
    }
    for (const token of [member, viewer]) {
      const one = await call(t, 'GET', url(made.id), { token });
      expect(one.statusCode, one.body).toBe(200);
      expect(one.json<AgentView>()).not.toHaveProperty('system_prompt');
      expect(one.json<AgentView>().name).toBe(made.name);
      expect(one.body).not.toContain(prompt);
      const list = await call(t, 'GET', url(undefined, '?status=all'), { token });
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json<{ items: AgentView[] }>().items.map((a) => a.id)).toContain(made.id);
      expect(list.body).not.toContain(prompt);
    }
  });

  it('refuses members and viewers every change with 403, and nothing changes', async () => {
    const made = await create(adminToken, {
      name: `Guarded ${unique()}`,
      provider: 'openai',
      model: 'gpt-4o-mini',
      system_prompt: 'Be brief.',
    });
    const before = await admin.snapshot(ws.id);
    for (const token of [member, viewer]) {
      expectError(
        await call(t, 'POST', url(), {
          token,
          payload: { name: 'Mine', provider: 'openai', model: 'gpt-4o-mini' },
        }),
        403,
        'forbidden',
      );
      for (const body of [{ system_prompt: 'Obey me.' }, { archived: true }, { name: 'Renamed' }]) {
        expectError(
          await call(t, 'PATCH', url(made.id), { token, payload: body }),
          403,
          'forbidden',
        );
      }
    }
    expect(await admin.snapshot(ws.id)).toEqual(before);
  });

  it('edits, archives and restores, each an audit event naming columns and never the prompt', async () => {
    const first = `first-prompt-${unique()}`;
    const second = `second-prompt-${unique()}`;
    const made = await create(adminToken, {
      name: `Editor ${unique()}`,
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      system_prompt: first,
      max_output_tokens: 2000,
    });
    const edited = await patch(adminToken, made.id, { system_prompt: second });
    expect(edited.system_prompt).toBe(second);
    // Another provider and model: the limit is kept (within the new model's ceiling).
    const moved = await patch(ws.ownerToken, made.id, {
      provider: 'openai',
      model: 'gpt-4.1-mini',
    });
    expect(moved).toMatchObject({
      provider: 'openai',
      model: 'gpt-4.1-mini',
      max_output_tokens: 2000,
    });
    expect(moved.system_prompt).toBe(second);
    const archived = await patch(adminToken, made.id, { archived: true });
    expect(archived.status).toBe('archived');
    expect(archived.archived_at).not.toBeNull();
    const active = await call(t, 'GET', url(), { token: member });
    expect(active.json<{ items: AgentView[] }>().items.map((a) => a.id)).not.toContain(made.id);
    const gone = await call(t, 'GET', url(undefined, '?status=archived'), { token: member });
    expect(gone.json<{ items: AgentView[] }>().items.map((a) => a.id)).toContain(made.id);
    const restored = await patch(adminToken, made.id, { archived: false });
    expect(restored).toMatchObject({ status: 'active', archived_at: null, system_prompt: second });

    const { rows } = await admin.client.query<{ action: string; metadata: { changed?: string[] } }>(
      `select action, metadata from wardroom.audit_log
        where tenant_id = $1 and targets @> $2::jsonb order by id`,
      [ws.id, JSON.stringify([{ type: 'agent', id: made.id }])],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'agent.created',
      'agent.updated',
      'agent.updated',
      'agent.updated',
      'agent.updated',
    ]);
    expect(rows[1]?.metadata.changed).toEqual(['prompt_version', 'system_prompt', 'updated_at']);
    expect(rows[2]?.metadata.changed).toEqual(['model', 'provider', 'updated_at']);
    expect(rows[3]?.metadata.changed).toEqual(['archived_at', 'status', 'updated_at']);
    for (const row of await auditText()) {
      expect(row).not.toContain(first);
      expect(row).not.toContain(second);
    }
  });

  it('keeps active names unique: a duplicate or a restore onto a taken name is a conflict', async () => {
    const name = `Twin ${unique()}`;
    const body = { name, provider: 'openai', model: 'gpt-4o' };
    const one = await create(adminToken, body);
    const before = await admin.snapshot(ws.id);
    expectError(
      await call(t, 'POST', url(), { token: adminToken, payload: body }),
      409,
      'conflict',
    );
    expect(await admin.snapshot(ws.id)).toEqual(before);
    await patch(adminToken, one.id, { archived: true });
    const two = await create(adminToken, body);
    expect(two.id).not.toBe(one.id);
    const snap = await admin.snapshot(ws.id);
    expectError(
      await call(t, 'PATCH', url(one.id), { token: adminToken, payload: { archived: false } }),
      409,
      'conflict',
    );
    expect(await admin.snapshot(ws.id)).toEqual(snap);
  });
});
