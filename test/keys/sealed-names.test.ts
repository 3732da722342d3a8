/**
 * Customer-written names (workroom names, conversation titles, member
 * display names) are sealed like message content. Read as the database
 * superuser: no table of the wardroom schema holds one in plaintext (the
 * audit log included, which records changed column names only); a row
 * written before migration 011 (plaintext, simulated here) is served until
 * `sealPlaintext` (`wardroom keys seal-names`) seals it; after a shred no
 * plaintext name of the workspace is left in any live row, even one never
 * sealed; and a sealed name moved to another row or workspace fails to open.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealPlaintext } from '../../src/modules/keys/plaintext.js';
import { startRotation } from '../../src/modules/keys/rotation/rotate-dek.js';
import { runSweep } from '../../src/modules/keys/rotation/sweep.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { call, expectError } from '../support/http.js';
import { connectSuperuser, principal } from '../support/keys.js';

let t: TestApp;
let admin: pg.Client;
beforeAll(async () => {
  t = await startTestApp();
  admin = await connectSuperuser();
});
afterAll(async () => {
  await admin.end();
  await t.close();
});

const marker = () => `nm${randomBytes(6).toString('hex')}`;

interface Named {
  ws: TestWorkspace;
  workroomId: string;
  conversationId: string;
  memberId: string;
  /** workroom name, conversation title, member display name */
  names: [string, string, string];
}

/** A workroom, conversation and invited member, each named with a fresh marker, through the API. */
async function named(ws?: TestWorkspace): Promise<Named> {
  const w = ws ?? (await newWorkspace(t));
  const base = `/api/v1/workspaces/${w.id}`;
  const token = w.ownerToken;
  const names: [string, string, string] = [marker(), marker(), marker()];
  const room = await call(t, 'POST', `${base}/workrooms`, { token, payload: { name: names[0] } });
  expect(room.json()).toMatchObject({ name: names[0] });
  const workroomId = room.json<{ id: string }>().id;
  const conv = await call(t, 'POST', `${base}/workrooms/${workroomId}/conversations`, {
    token,
    payload: { title: names[1] },
  });
  expect(conv.json()).toMatchObject({ title: names[1] });
  const member = await call(t, 'POST', `${base}/members`, {
    token,
    payload: { email: `${marker()}@example.test`, role: 'viewer', display_name: names[2] },
  });
  expect(member.json()).toMatchObject({ display_name: names[2] });
  return {
    ws: w,
    workroomId,
    conversationId: conv.json<{ id: string }>().id,
    memberId: member.json<{ user_id: string }>().user_id,
    names,
  };
}

/**
 * Every text, json and array column of every table of the wardroom schema
 * (partitions through their parent) whose text contains `needle`, as
 * `table.column`, read as the superuser.
 */
async function plaintextHits(needle: string): Promise<string[]> {
  const { rows: columns } = await admin.query<{ tbl: string; col: string }>(
    `select c.relname as tbl, a.attname as col from pg_attribute a
       join pg_class c on c.oid = a.attrelid
      where c.relnamespace = 'wardroom'::regnamespace and c.relkind in ('r', 'p')
        and not c.relispartition and a.attnum > 0 and not a.attisdropped
        and (format_type(a.atttypid, null) in ('text', 'character varying', 'jsonb', 'json', 'name')
             or format_type(a.atttypid, null) like '%[]')`,
  );
  expect(columns.length).toBeGreaterThan(30);
  const hits: string[] = [];
  for (const { tbl, col } of columns) {
    const { rows } = await admin.query(
      `select 1 from wardroom.${JSON.stringify(tbl)} where strpos(${JSON.stringify(col)}::text, $1) > 0 limit 1`,
      [needle],
    );
    if (rows.length > 0) hits.push(`${tbl}.${col}`);
  }
  return hits;
}

async function hitsOf(names: readonly string[]): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const n of names) {
    const hits = await plaintextHits(n);
    if (hits.length > 0) found[n] = hits;
  }
  return found;
}

/** Turns the sealed rows of `n` back into rows as written before migration 011. */
async function asLegacy(n: Named): Promise<void> {
  const [name, title, display] = n.names;
  await admin.query(
    'update wardroom.workrooms set name = $1, name_sealed = null where tenant_id = $2 and id = $3',
    [name, n.ws.id, n.workroomId],
  );
  await admin.query(
    'update wardroom.conversations set title = $1, title_sealed = null where tenant_id = $2 and id = $3',
    [title, n.ws.id, n.conversationId],
  );
  await admin.query(
    `update wardroom.memberships set display_name = $1, display_name_sealed = null
      where tenant_id = $2 and user_id = $3`,
    [display, n.ws.id, n.memberId],
  );
}

async function readBack(n: Named): Promise<[string, string]> {
  const base = `/api/v1/workspaces/${n.ws.id}`;
  const room = await call(t, 'GET', `${base}/workrooms/${n.workroomId}`, {
    token: n.ws.ownerToken,
  });
  const members = await call(t, 'GET', `${base}/members`, { token: n.ws.ownerToken });
  const member = members
    .json<{ items: { user_id: string; display_name: string }[] }>()
    .items.find((m) => m.user_id === n.memberId);
  return [room.json<{ name: string }>().name, member?.display_name ?? ''];
}

async function shred(ws: TestWorkspace): Promise<void> {
  const { rows } = await admin.query<{ name: string }>(
    'select name from wardroom.workspaces where tenant_id = $1',
    [ws.id],
  );
  const res = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
    token: ws.ownerToken,
    payload: { confirm: rows[0]!.name },
  });
  expect(res.statusCode, res.body).toBe(200);
}

describe('sealed names', () => {
  it('are stored only sealed: no table holds one in plaintext, the audit log included', async () => {
    const n = await named();
    expect(await readBack(n)).toEqual([n.names[0], n.names[2]]);
    const list = await call(t, 'GET', `/api/v1/workspaces/${n.ws.id}/workrooms`, {
      token: n.ws.ownerToken,
    });
    expect(list.json()).toMatchObject({ items: [{ id: n.workroomId, name: n.names[0] }] });
    expect(await hitsOf(n.names)).toEqual({});
    const { rows } = await admin.query<{ sealed: boolean }>(
      `select name_sealed is not null and name is null as sealed from wardroom.workrooms where id = $1
       union all
       select title_sealed is not null and title is null from wardroom.conversations where id = $2
       union all
       select display_name_sealed is not null and display_name is null
         from wardroom.memberships where tenant_id = $3 and user_id = $4`,
      [n.workroomId, n.conversationId, n.ws.id, n.memberId],
    );
    expect(rows.map((r) => r.sealed)).toEqual([true, true, true]);
  });

  it('written before migration 011 are served until seal-names seals them, recording no value', async () => {
    const n = await named();
    await asLegacy(n);
    expect(Object.keys(await hitsOf(n.names)).sort()).toEqual([...n.names].sort());
    expect(await readBack(n)).toEqual([n.names[0], n.names[2]]);

    const done = await t.db.withTenant(principal(n.ws.id), (tx) => sealPlaintext(tx, t.keyring));
    // Only this workspace's rows (the owner has no display name: NULL, nothing to seal).
    expect(done).toEqual({
      'workrooms.name_sealed': 1,
      'conversations.title_sealed': 1,
      'memberships.display_name_sealed': 1,
    });
    expect(await hitsOf(n.names)).toEqual({});
    expect(await readBack(n)).toEqual([n.names[0], n.names[2]]);
    const { rows } = await admin.query<{ action: string; metadata: unknown }>(
      `select action, metadata from wardroom.audit_log
        where tenant_id = $1 and action like '%.updated' and actor_type = 'system' order by seq`,
      [n.ws.id],
    );
    expect(rows).toEqual([
      { action: 'workroom.updated', metadata: { changed: ['name', 'name_sealed'] } },
      { action: 'conversation.updated', metadata: { changed: ['title', 'title_sealed'] } },
      {
        action: 'membership.updated',
        metadata: { changed: ['display_name', 'display_name_sealed'] },
      },
    ]);
    // Idempotent: nothing is left to seal.
    expect(await t.db.withTenant(principal(n.ws.id), (tx) => sealPlaintext(tx, t.keyring))).toEqual(
      {
        'workrooms.name_sealed': 0,
        'conversations.title_sealed': 0,
        'memberships.display_name_sealed': 0,
      },
    );
  });

  it('are gone from every live row after a shred, even rows never sealed', async () => {
    const sealed = await named();
    const legacy = await named(sealed.ws);
    await asLegacy(legacy);
    const bystander = await named();
    await asLegacy(bystander);
    const all = [...sealed.names, ...legacy.names];
    expect(Object.keys(await hitsOf(all))).toHaveLength(3);

    await shred(sealed.ws);
    expect(await hitsOf(all)).toEqual({});
    // Another workspace's plaintext is not touched by this shred.
    expect(Object.keys(await hitsOf(bystander.names))).toHaveLength(3);
    expect(await readBack(bystander)).toEqual([bystander.names[0], bystander.names[2]]);
  });

  it('are re-sealed by key rotation, bound as the modules bind them, and still open', async () => {
    const n = await named();
    const started = await startRotation(t.db, t.keyring, principal(n.ws.id));
    // The workroom's name, the conversation's title and the member's display name.
    expect(started.rowsTotal).toBe(3);
    const done = await runSweep(t.db, t.keyring, principal(n.ws.id), started.rotationId, {
      batchSize: 10,
    });
    expect(done).toMatchObject({ status: 'done', rowsDone: 3 });
    const { rows } = await admin.query<{ v: number }>(
      `select get_byte(s, 21) as v from (
         select name_sealed as s from wardroom.workrooms where id = $1
         union all select title_sealed from wardroom.conversations where id = $2
         union all select display_name_sealed from wardroom.memberships
          where tenant_id = $3 and user_id = $4) x`,
      [n.workroomId, n.conversationId, n.ws.id, n.memberId],
    );
    expect(rows.map((r) => r.v)).toEqual([2, 2, 2]);
    expect(await readBack(n)).toEqual([n.names[0], n.names[2]]);
    await t.db.withTenant(principal(n.ws.id), async (tx) => {
      const title = await tx
        .selectFrom('conversations')
        .select(['title_sealed', 'workroom_id'])
        .where('id', '=', n.conversationId)
        .executeTakeFirstOrThrow();
      const ref = {
        table: 'conversations',
        column: 'title_sealed',
        rowId: n.conversationId,
        bound: [title.workroom_id],
      };
      expect((await t.keyring.open(tx, ref, title.title_sealed!)).toString()).toBe(n.names[1]);
    });
  });

  it('fail to open once moved to another row or another workspace', async () => {
    const a = await named();
    const b = await named(a.ws);
    const other = await named();
    const base = `/api/v1/workspaces/${a.ws.id}`;
    const room = (n: Named) =>
      call(t, 'GET', `/api/v1/workspaces/${n.ws.id}/workrooms/${n.workroomId}`, {
        token: n.ws.ownerToken,
      });
    // A's name in B's row, and in a row of another workspace.
    await admin.query(
      `update wardroom.workrooms set name_sealed = (select name_sealed from wardroom.workrooms where id = $1)
        where id = any($2::uuid[])`,
      [a.workroomId, [b.workroomId, other.workroomId]],
    );
    for (const n of [b, other]) {
      const res = await room(n);
      expectError(res, 500, 'decryption_failed');
      expect(res.body).not.toContain(a.names[0]);
    }
    expect((await room(a)).json()).toMatchObject({ name: a.names[0] });
    // A's display name on B's membership.
    await admin.query(
      `update wardroom.memberships set display_name_sealed =
         (select display_name_sealed from wardroom.memberships where tenant_id = $1 and user_id = $2)
        where tenant_id = $1 and user_id = $3`,
      [a.ws.id, a.memberId, b.memberId],
    );
    const members = await call(t, 'GET', `${base}/members`, { token: a.ws.ownerToken });
    expectError(members, 500, 'decryption_failed');
    expect(members.body).not.toContain(a.names[2]);
    // A title moved to a conversation of another workroom (its workroom is bound).
    await admin.query(
      'update wardroom.conversations set workroom_id = $1 where tenant_id = $2 and id = $3',
      [b.workroomId, a.ws.id, a.conversationId],
    );
    const { rows } = await admin.query<{ title_sealed: Buffer }>(
      'select title_sealed from wardroom.conversations where id = $1',
      [a.conversationId],
    );
    await t.db.withTenant(principal(a.ws.id), async (tx) => {
      const ref = (workroomId: string) => ({
        table: 'conversations',
        column: 'title_sealed',
        rowId: a.conversationId,
        bound: [workroomId],
      });
      await expect(
        t.keyring.open(tx, ref(b.workroomId), rows[0]!.title_sealed),
      ).rejects.toMatchObject({
        code: 'decryption_failed',
      });
      const opened = await t.keyring.open(tx, ref(a.workroomId), rows[0]!.title_sealed);
      expect(opened.toString()).toBe(a.names[1]);
    });
  });
});
