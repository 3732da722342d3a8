/**
 * Existence probes: tenant B must not learn whether an id exists in tenant A.
 * Every probe is run twice, once with one of A's ids and once with a random
 * id, and the two outcomes (success, row count, SQLSTATE, message and detail
 * with uuids masked) must be identical. Keys lead with tenant_id and foreign
 * keys are composite, so A's rows can neither collide with nor anchor B's.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../src/db/database.js';
import { attempt, connect, inTenant, shape, type Outcome } from '../support/app-session.js';
import { seedTenant, type SeededTenant } from '../support/seed.js';

const db = createDatabase({ appUrl: inject('appUrl'), poolMax: 2 });
let A: SeededTenant;
let B: SeededTenant;
let app: pg.Client;
let admin: pg.Client;

beforeAll(async () => {
  A = await seedTenant(db, 'Tenant A');
  B = await seedTenant(db, 'Tenant B');
  app = await connect(inject('appUrl'));
  admin = await connect(inject('adminUrl'));
});

afterAll(async () => {
  await app.end();
  await admin.end();
  await db.close();
});

type Probe = (id: string) => { text: string; values: unknown[] };

const probes: Record<'workroom' | 'conversation' | 'message', Probe> = {
  workroom: (id) => ({
    text: `insert into wardroom.workrooms (tenant_id, id, name, created_by) values ($1, $2, 'Probe', $3)`,
    values: [B.tenantId, id, B.ownerId],
  }),
  conversation: (id) => ({
    text: `insert into wardroom.conversations (tenant_id, id, workroom_id, created_by) values ($1, $2, $3, $4)`,
    values: [B.tenantId, id, B.workroomId, B.ownerId],
  }),
  message: (id) => ({
    text: `insert into wardroom.messages (tenant_id, id, conversation_id, author_type, content)
           values ($1, $2, $3, 'user', '\\x00'::bytea)`,
    values: [B.tenantId, id, B.conversationId],
  }),
};

/** Runs the probe with `id` in tenant B (under a savepoint, then rolled back). */
async function probeWith(probe: Probe, id: string): Promise<Outcome> {
  const { text, values } = probe(id);
  return inTenant(app, B.tenantId, () => attempt(app, text, values));
}

describe("with tenant B set, A's ids are indistinguishable from random ids", () => {
  it.each([
    ['workroom', () => A.workroomId],
    ['conversation', () => A.conversationId],
    ['message', () => A.messageIds[0]!],
  ] as const)(
    'inserting a %s with an id of A succeeds exactly like a random id',
    async (kind, idOfA) => {
      const withA = await probeWith(probes[kind], idOfA());
      const withRandom = await probeWith(probes[kind], randomUUID());
      expect(shape(withA)).toEqual({ ok: true, rowCount: 1 });
      expect(shape(withA)).toEqual(shape(withRandom));
    },
  );

  it('insert ... on conflict (tenant_id, id) do nothing returning id behaves the same', async () => {
    const run = (id: string) =>
      inTenant(app, B.tenantId, async () => {
        const text = `insert into wardroom.workrooms (tenant_id, id, name, created_by)
          values ($1, $2, 'Probe', $3) on conflict (tenant_id, id) do nothing returning id`;
        const values = [B.tenantId, id, B.ownerId];
        // First insert: no conflict for either id; second: conflicts with B's own row only.
        const first = await attempt(app, text, values);
        const second = await attempt(app, text, values);
        return [first, second].map((o) => ({
          ...shape(o),
          ids: o.ok ? o.rows.map((r) => r['id']) : [],
        }));
      });
    const idOfA = A.workroomId;
    const random = randomUUID();
    const withA = await run(idOfA);
    const withRandom = await run(random);
    expect(withA).toEqual([
      { ok: true, rowCount: 1, ids: [idOfA] },
      { ok: true, rowCount: 0, ids: [] },
    ]);
    expect(withRandom).toEqual([
      { ok: true, rowCount: 1, ids: [random] },
      { ok: true, rowCount: 0, ids: [] },
    ]);
  });

  it.each([
    {
      child: 'conversations',
      parentOfA: () => A.workroomId,
      column: 'workroom_id',
      insert: (parent: string) => ({
        text: `insert into wardroom.conversations (tenant_id, id, workroom_id, created_by) values ($1, $2, $3, $4)`,
        values: [B.tenantId, randomUUID(), parent, B.ownerId],
      }),
    },
    {
      child: 'messages',
      parentOfA: () => A.conversationId,
      column: 'conversation_id',
      insert: (parent: string) => ({
        text: `insert into wardroom.messages (tenant_id, id, conversation_id, author_type, content)
               values ($1, $2, $3, 'agent', '\\x00'::bytea)`,
        values: [B.tenantId, randomUUID(), parent],
      }),
    },
    {
      child: 'api_tokens',
      parentOfA: () => A.ownerId,
      column: 'user_id',
      insert: (parent: string) => ({
        text: `insert into wardroom.api_tokens (tenant_id, id, user_id, secret_hash) values ($1, $2, $3, $4)`,
        values: [B.tenantId, randomUUID(), parent, Buffer.alloc(32, 7)],
      }),
    },
  ])(
    "a $child row in B pointing at A's parent fails exactly like one pointing at a random id",
    async ({ child, parentOfA, column, insert }) => {
      // Committed, so that if the insert had succeeded the admin would see the row.
      const run = (parent: string) =>
        inTenant(
          app,
          B.tenantId,
          () => {
            const { text, values } = insert(parent);
            return attempt(app, text, values);
          },
          'commit',
        );
      const withA = await run(parentOfA());
      const withRandom = await run(randomUUID());
      expect(withA).toMatchObject({ ok: false, code: '23503' });
      expect(shape(withA)).toEqual(shape(withRandom));
      const { rows } = await admin.query<{ n: number }>(
        `select count(*)::int as n from wardroom.${child} where ${column} = $1 and tenant_id <> $2`,
        [parentOfA(), A.tenantId],
      );
      expect(rows[0]?.n).toBe(0);
    },
  );
});
