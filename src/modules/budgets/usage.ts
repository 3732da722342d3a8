/**
 * Usage this UTC month, by key: what the LLM keys page shows, and what
 * billing needs (BYOK traffic apart from platform traffic). Settled calls
 * count their cost and tokens; live reservations are shown apart.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../db/tenant-tx.js';
import { keyLabel, type KeySourceName } from './key-ref.js';

export interface KeyUsage {
  readonly key: string;
  readonly key_source: KeySourceName;
  readonly credential_id: string | null;
  /** The platform provider, or for BYOK and offline keys the providers called, joined by commas. */
  readonly provider: string;
  readonly calls: number;
  readonly cost_micros: number;
  readonly reserved_micros: number;
  readonly tokens_in: number;
  readonly tokens_out: number;
  readonly cache_hits: number;
}

export interface UsageSummary {
  readonly month_start: string;
  readonly byok_cost_micros: number;
  readonly platform_cost_micros: number;
  readonly keys: KeyUsage[];
}

interface Row {
  key_source: KeySourceName;
  credential_id: string | null;
  provider: string;
  month_start: Date;
  calls: string;
  cost: string;
  reserved: string;
  tokens_in: string;
  tokens_out: string;
  cache_hits: string;
}

/** This month's usage by key; `userId` narrows it to one member's calls. */
export async function usageSummary(tx: TenantTx, userId?: string): Promise<UsageSummary> {
  const rows = await sql<Row>`
    WITH m AS (SELECT date_trunc('month', now(), 'UTC') AS start)
    SELECT u.key_source, u.credential_id,
           CASE WHEN u.key_source = 'platform' THEN max(u.provider)
                ELSE string_agg(DISTINCT u.provider, ',' ORDER BY u.provider) END AS provider,
           (SELECT start FROM m) AS month_start,
           count(*) FILTER (WHERE u.status = 'settled')::text AS calls,
           coalesce(sum(u.settled_micros), 0)::text AS cost,
           coalesce(sum(u.reserved_micros) FILTER (WHERE u.status = 'reserved' AND u.expires_at > now()), 0)::text AS reserved,
           coalesce(sum(u.tokens_in), 0)::text AS tokens_in,
           coalesce(sum(u.tokens_out), 0)::text AS tokens_out,
           count(*) FILTER (WHERE u.cache_hit)::text AS cache_hits
      FROM llm_usage u
     WHERE u.created_at >= (SELECT start FROM m)
       AND (${userId ?? null}::uuid IS NULL OR u.user_id = ${userId ?? null}::uuid)
     GROUP BY u.key_source, u.credential_id, CASE WHEN u.key_source = 'platform' THEN u.provider END
     ORDER BY u.key_source, u.credential_id NULLS LAST, 3`.execute(tx);
  const month = await sql<{
    start: Date;
  }>`SELECT date_trunc('month', now(), 'UTC') AS start`.execute(tx);
  const keys = rows.rows.map((r) => ({
    key: keyLabel({
      key_source: r.key_source,
      credential_id: r.credential_id,
      provider: r.key_source === 'platform' ? r.provider : null,
    }),
    key_source: r.key_source,
    credential_id: r.credential_id,
    provider: r.provider,
    calls: Number(r.calls),
    cost_micros: Number(r.cost),
    reserved_micros: Number(r.reserved),
    tokens_in: Number(r.tokens_in),
    tokens_out: Number(r.tokens_out),
    cache_hits: Number(r.cache_hits),
  }));
  const total = (source: KeySourceName) =>
    keys.filter((k) => k.key_source === source).reduce((sum, k) => sum + k.cost_micros, 0);
  return {
    month_start: (month.rows[0]?.start ?? new Date(0)).toISOString(),
    byok_cost_micros: total('byok'),
    platform_cost_micros: total('platform'),
    keys,
  };
}
