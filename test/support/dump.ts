/**
 * Every row of every table in Wardroom's schemas, as text: what a
 * `pg_dump --data-only` of them holds (bytea as hex, like pg_dump's COPY
 * output), read with SQL so it works with any server version (the embedded
 * PostgreSQL is newer than the machine's pg_dump).
 */
import pg from 'pg';

export async function dumpRows(adminUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const tables = await client.query<{ qualified: string }>(
      `select format('%I.%I', n.nspname, c.relname) as qualified
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('wardroom', 'wardroom_jobs') and c.relkind in ('r', 'p')
        order by 1`,
    );
    const rows: string[] = [];
    for (const { qualified } of tables.rows) {
      const result = await client.query<{ row: string }>(
        `select row_to_json(t)::text as row from ${qualified} t`,
      );
      rows.push(...result.rows.map((r) => r.row));
    }
    return rows.join('\n');
  } finally {
    await client.end();
  }
}
