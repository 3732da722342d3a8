/**
 * Cross-tenant attacks on every tenant table the live catalog knows about.
 *
 * Tenant A is seeded the way the application writes (seed.ts); the admin then
 * clones A into tenant B with the SAME ids, generically, in foreign-key order.
 * For each table (discovered, so one added by a later migration is covered
 * without editing this file) the app role, over a raw connection, tries to
 * read, change, delete and forge rows across the boundary: with tenant A set,
 * with no tenant set in a fresh session, and with the tenant set to ''.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../../src/db/database.js';
import { GLOBAL_TABLES } from '../../src/db/global-tables.js';
import { quoteIdent } from '../../src/db/roles.js';
import { attempt, connect, inTenant, type Outcome } from '../support/app-session.js';
import { seedTenant } from '../support/seed.js';
import {
  bypassesRls,
  cloneTenant,
  columnList,
  sampleRow,
  tenantTables,
  type TenantTable,
} from '../support/tenant-catalog.js';

const appRole = `${inject('rolePrefix')}app`;
const admin = await connect(inject('adminUrl'));
const tables = await tenantTables(admin, appRole);
const db = createDatabase({ appUrl: inject('appUrl'), poolMax: 2 });

const B = randomUUID();
let A = '';
const rowsOfA = new Map<string, number>();
const samples = new Map<string, Record<string, unknown>>();
let app: pg.Client;

beforeAll(async () => {
  if (!(await bypassesRls(admin))) throw new Error('the test admin must be superuser or BYPASSRLS');
  A = (await seedTenant(db, 'Tenant A')).tenantId;
  const copied = await cloneTenant(admin, tables, A, B);
  for (const t of tables) {
    const n = copied.get(t.name) ?? 0;
    const sample = await sampleRow(admin, t, A);
    if (n === 0 || sample === undefined) throw new Error(`seed.ts must cover new table ${t.name}`);
    rowsOfA.set(t.name, n);
    samples.set(t.name, sample);
  }
  app = await connect(inject('appUrl'));
});

afterAll(async () => {
  await app.end();
  await admin.end();
  await db.close();
});

/** INSERT of a JSON row image (so no read of the source row is needed as the app). */
function insertCopy(t: TenantTable): string {
  const overriding = t.identityAlways ? 'overriding system value' : '';
  return `insert into ${t.qualified} ${columnList(t)} ${overriding}
    select ${t.columns.map(quoteIdent).join(', ')} from jsonb_populate_record(null::${t.qualified}, $1)`;
}

function copyOf(t: TenantTable, tenantId: string): Record<string, unknown> {
  return { ...samples.get(t.name), tenant_id: tenantId };
}

const denied = (o: Outcome, why: RegExp) => {
  expect(o).toMatchObject({ ok: false, code: '42501' });
  if (!o.ok) expect(o.message).toMatch(why);
};
const RLS = /row-level security/;
const PRIVILEGE = /permission denied/;

/**
 * An UPDATE (setting a column to A's value, so it needs no SELECT right when
 * `where` is empty: a "blind" write that only the UPDATE policy filters) and a
 * DELETE, each of which must reach exactly `rows` rows, or be refused when the
 * app role lacks the privilege. `where` may use $2, bound to `param`.
 */
async function expectWrites(
  client: pg.ClientBase,
  t: TenantTable,
  rows: number,
  where = '',
  param?: string,
): Promise<void> {
  const extra = param === undefined ? [] : [param];
  const col = t.app.updatable;
  if (col === undefined) {
    denied(
      await attempt(client, `update ${t.qualified} set tenant_id = $1 ${where}`, [A, ...extra]),
      PRIVILEGE,
    );
  } else {
    const value = `(jsonb_populate_record(null::${t.qualified}, $1)).${quoteIdent(col)}`;
    const update = await attempt(
      client,
      `update ${t.qualified} set ${quoteIdent(col)} = ${value} ${where}`,
      [copyOf(t, A), ...extra],
    );
    expect(update).toMatchObject({ ok: true, rowCount: rows });
  }
  const where1 = where.replaceAll('$2', '$1');
  const del = await attempt(client, `delete from ${t.qualified} ${where1}`, extra);
  if (t.app.delete) expect(del).toMatchObject({ ok: true, rowCount: rows });
  else denied(del, PRIVILEGE);
}

describe('the tenant tables in the live catalog', () => {
  it('are discovered, in foreign-key order, and are every non-allowlisted table', async () => {
    const names = tables.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'workspaces',
        'memberships',
        'api_tokens',
        'workspace_keys',
        'workrooms',
        'conversations',
        'messages',
      ]),
    );
    for (const t of tables) {
      for (const parent of t.parents)
        expect(names.indexOf(parent)).toBeLessThan(names.indexOf(t.name));
    }
    const { rows } = await admin.query<{ name: string }>(
      `select relname as name from pg_class
        where relnamespace = 'wardroom'::regnamespace and relkind in ('r', 'p')
          and not relispartition order by 1`,
    );
    const globals = GLOBAL_TABLES.map((g) => g.name);
    expect(rows.map((r) => r.name).filter((n) => !globals.includes(n))).toEqual([...names].sort());
  });

  it('all have rows for A, and B is a clone with the same ids', async () => {
    for (const t of tables) {
      expect(rowsOfA.get(t.name), `seed.ts must cover new table ${t.name}`).toBeGreaterThan(0);
      const { rows } = await admin.query<{ n: number }>(
        `select count(*)::int as n from ${t.qualified} where tenant_id = $1`,
        [B],
      );
      expect(rows[0]?.n).toBe(rowsOfA.get(t.name));
    }
  });
});

describe.each([...tables])('$name', (t) => {
  it('with tenant A set, selects only A', async () => {
    await inTenant(app, A, async () => {
      const all = await app.query<{ t: string }>(`select tenant_id::text as t from ${t.qualified}`);
      expect(all.rows.length).toBe(rowsOfA.get(t.name));
      expect(new Set(all.rows.map((r) => r.t))).toEqual(new Set([A]));
      const ofB = await app.query<{ n: number }>(
        `select count(*)::int as n from ${t.qualified} where tenant_id = $1`,
        [B],
      );
      expect(ofB.rows[0]?.n).toBe(0);
    });
  });

  it("with tenant A set, cannot update or delete B's rows", async () => {
    await inTenant(app, A, async () => {
      await expectWrites(app, t, 0, 'where tenant_id = $2', B);
      // Blind writes (no WHERE, so only the UPDATE/DELETE policies filter) reach A's rows
      // and nothing else; this is also the positive control for the 0 above.
      await expectWrites(app, t, rowsOfA.get(t.name) ?? -1);
    });
  });

  it('with tenant A set, cannot insert a row for B or move a row of A to B', async () => {
    await inTenant(app, A, async () => {
      const forged = await attempt(app, insertCopy(t), [copyOf(t, B)]);
      denied(forged, t.app.insert ? RLS : PRIVILEGE);
      const moved = await attempt(
        app,
        `update ${t.qualified} set tenant_id = $1 where tenant_id = $2`,
        [B, A],
      );
      denied(moved, t.app.updatable === 'tenant_id' ? RLS : PRIVILEGE);
    });
  });

  it.each([
    ['in a fresh session with no tenant set', null],
    ["with the tenant set to ''", ''],
  ] as const)('%s, sees and changes nothing', async (_label, tenant) => {
    const client = tenant === null ? await connect(inject('appUrl')) : app;
    try {
      await inTenant(client, tenant, async () => {
        const setting = await client.query<{ s: string | null }>(
          `select current_setting('wardroom.tenant_id', true) as s`,
        );
        expect(setting.rows[0]?.s).toBe(tenant);
        const count = await client.query<{ n: number }>(
          `select count(*)::int as n from ${t.qualified}`,
        );
        expect(count.rows[0]?.n).toBe(0);
        const forged = await attempt(client, insertCopy(t), [copyOf(t, A)]);
        denied(forged, t.app.insert ? RLS : PRIVILEGE);
        await expectWrites(client, t, 0);
      });
    } finally {
      if (client !== app) await client.end();
    }
  });
});
