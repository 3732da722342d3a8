/**
 * Superuser views of the test database, for proving what a request did or
 * did not write: a snapshot is every row of one workspace, table by table,
 * as text, so two equal snapshots mean nothing in that workspace changed.
 */
import pg from 'pg';
import { inject } from 'vitest';

export const TENANT_TABLES = [
  'workspaces',
  'memberships',
  'api_tokens',
  'workspace_keys',
  'workrooms',
  'conversations',
  'messages',
  'integration_credentials',
  'credential_fingerprint_keys',
  'sso_connections',
  'sso_policies',
  'llm_cache_settings',
  'agents',
  'agent_runs',
  'contacts',
  'llm_budgets',
  'llm_usage',
  'llm_limits',
  'llm_key_suspensions',
] as const;
export type TenantTable = (typeof TENANT_TABLES)[number];
export type TenantSnapshot = Record<TenantTable, string[]>;

export interface Admin {
  readonly client: pg.Client;
  snapshot(tenantId: string): Promise<TenantSnapshot>;
  counts(tenantId: string): Promise<Record<TenantTable, number>>;
  /** Whether a global user with this email exists (any workspace, or none). */
  userExists(email: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function connectAdmin(url: string = inject('adminUrl')): Promise<Admin> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  async function snapshot(tenantId: string): Promise<TenantSnapshot> {
    const entries: [TenantTable, string[]][] = [];
    for (const table of TENANT_TABLES) {
      // Table names come from the constant list above, never from input.
      const { rows } = await client.query<{ row: string }>(
        `select r::text as row from wardroom.${table} r where tenant_id = $1 order by 1`,
        [tenantId],
      );
      entries.push([table, rows.map((r) => r.row)]);
    }
    return Object.fromEntries(entries) as TenantSnapshot;
  }
  return {
    client,
    snapshot,
    async counts(tenantId) {
      const snap = await snapshot(tenantId);
      return Object.fromEntries(TENANT_TABLES.map((t) => [t, snap[t].length])) as Record<
        TenantTable,
        number
      >;
    },
    async userExists(email) {
      const { rows } = await client.query(
        'select 1 from wardroom.users where lower(email) = lower($1)',
        [email],
      );
      return rows.length > 0;
    },
    close: () => client.end(),
  };
}
