import { randomUUID } from 'node:crypto';
import { userPrincipal } from '../../src/db/principal.js';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../src/db/database.js';

const db = createDatabase({ appUrl: inject('appUrl'), poolMax: 2 });
afterAll(() => db.close());

const principal = (tenantId: string) => userPrincipal(tenantId, randomUUID());

describe('withTenant', () => {
  it('sets tenant, actor and correlation id for the transaction only', async () => {
    const p = principal(randomUUID());
    const seen = await db.withTenant(p, async (tx) => {
      const { rows } = await sql<{ t: string; a: string; c: string; k: string }>`
        select current_setting('wardroom.tenant_id') as t, current_setting('wardroom.actor_type') as k,
               current_setting('wardroom.actor_id') as a, current_setting('wardroom.correlation_id') as c`.execute(
        tx,
      );
      return rows[0];
    });
    expect(seen).toEqual({ t: p.tenantId, k: 'user', a: p.actorId, c: p.correlationId });
    // Same pooled connections afterwards: nothing leaked past COMMIT.
    for (let i = 0; i < 4; i++) {
      const leaked = await db.withSystem('test: check for leaked tenant context', (tx) =>
        tx.tenantInScope(),
      );
      expect(leaked).toBeNull();
    }
  });

  it('rejects a tenant id that is not a uuid before touching the database', async () => {
    await expect(
      db.withTenant(principal("x' or '1'='1"), () => Promise.resolve(1)),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('rolls back everything when the function throws', async () => {
    const tenantId = randomUUID();
    await expect(
      db.withTenant(principal(tenantId), async (tx) => {
        await tx
          .insertInto('workspaces')
          .values({ tenant_id: tenantId, name: 'doomed', region: 'us', plan: 'team' })
          .execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const count = await db.withTenant(principal(tenantId), (tx) =>
      tx
        .selectFrom('workspaces')
        .select((e) => e.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    expect(Number(count.n)).toBe(0);
  });

  it('answers database_unavailable, without crashing, when the server drops a connection mid-transaction', async () => {
    const admin = new pg.Client({ connectionString: inject('adminUrl') });
    await admin.connect();
    try {
      const outcome = db.withTenant(principal(randomUUID()), async (tx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
        // The 'error' event reaches the checked-out client between queries.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`select 1`.execute(tx);
      });
      await expect(outcome).rejects.toMatchObject({ code: 'database_unavailable' });
      // The pool replaced the dead connection.
      // The pool replaced the dead connection.
      await expect(db.ping()).resolves.toBeUndefined();
    } finally {
      await admin.end();
    }
  });
});
