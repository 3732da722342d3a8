/** A workspace's LLM rate limits: requests and tokens per minute (null: no limit). */
import type { TenantTx } from '../../db/tenant-tx.js';
import { sql } from 'kysely';

export interface LimitsView {
  readonly requests_per_minute: number | null;
  readonly tokens_per_minute: number | null;
}

export async function getLimits(tx: TenantTx): Promise<LimitsView> {
  const row = await tx
    .selectFrom('llm_limits')
    .select(['requests_per_minute', 'tokens_per_minute'])
    .executeTakeFirst();
  return row ?? { requests_per_minute: null, tokens_per_minute: null };
}

export async function putLimits(tx: TenantTx, input: LimitsView): Promise<LimitsView> {
  await sql`
    INSERT INTO llm_limits (tenant_id, requests_per_minute, tokens_per_minute)
    VALUES (nullif(current_setting('wardroom.tenant_id', true), '')::uuid,
            ${input.requests_per_minute}, ${input.tokens_per_minute})
    ON CONFLICT (tenant_id) DO UPDATE
       SET requests_per_minute = excluded.requests_per_minute,
           tokens_per_minute = excluded.tokens_per_minute,
           updated_at = now()`.execute(tx);
  return getLimits(tx);
}
