/**
 * The PostgreSQL the bench runs on: BENCH_DATABASE_URL or TEST_DATABASE_URL
 * (a superuser URL of a cluster), else an embedded cluster in a temp dir that
 * is stopped and removed afterwards.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureEmbeddedPostgres } from '../src/db/embedded.js';

export interface Cluster {
  readonly url: string;
  readonly description: string;
  stop(): Promise<void>;
}

export async function openCluster(): Promise<Cluster> {
  const configured = process.env['BENCH_DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'];
  if (configured !== undefined && configured !== '') {
    const host = new URL(configured).host;
    return { url: configured, description: `PostgreSQL at ${host}`, stop: () => Promise.resolve() };
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wardroom-bench-'));
  try {
    const embedded = await ensureEmbeddedPostgres(dir);
    return {
      url: embedded.adminUrl,
      description: `embedded PostgreSQL in ${dir}`,
      async stop() {
        await embedded.stop();
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The migrations applied to a bench database, to say which schema the figures are for. */
export async function appliedMigrations(adminUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      'select name from wardroom.schema_migrations order by run_on, id',
    );
    return rows.map((r) => r.name).join(', ');
  } catch {
    return 'unknown';
  } finally {
    await client.end();
  }
}
