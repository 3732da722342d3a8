/**
 * The velocity tripwire. After a call settles, the spend of its key in the
 * last `windowSeconds` (calls reserved since then, or since the key was
 * last resumed if later; settled cost only) is compared with
 *
 *   threshold = max(floorMicros, multiplier × baseline)
 *   baseline  = the workspace's settled spend, all keys, over the
 *               `baselineDays` days before the window, scaled to one window
 *               (total × windowSeconds / (baselineDays × 86400)).
 *
 * Spend above the threshold suspends that key: one live suspension per key
 * (a unique index), written in the settling transaction with an
 * `llm_key.suspended` audit event. The floor keeps a new workspace, whose
 * baseline is zero, from being tripped by its first calls: it trips only
 * past the floor. `reserve` refuses a suspended key in every process, since
 * the suspension is a row it reads on every call.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import { keyLabel, type KeyColumns } from './key-ref.js';

export interface VelocitySettings {
  /** The short window, in seconds (default 300: five minutes). */
  readonly windowSeconds: number;
  /** Spend in a window at or under this never trips (default $5). */
  readonly floorMicros: bigint;
  /** How far above the workspace's normal rate trips (default 10×). */
  readonly multiplier: number;
  /** How many days before the window make the normal rate (default 7). */
  readonly baselineDays: number;
}

export const DEFAULT_VELOCITY: VelocitySettings = {
  windowSeconds: 300,
  floorMicros: 5_000_000n,
  multiplier: 10,
  baselineDays: 7,
};

export interface Tripped {
  readonly suspensionId: string;
  readonly key: KeyColumns;
  readonly windowMicros: bigint;
  readonly thresholdMicros: bigint;
}

/** Whether the key has a live suspension. */
export async function isSuspended(tx: TenantTx, key: KeyColumns): Promise<boolean> {
  const row = await sql<{ suspended: boolean }>`
    SELECT EXISTS (
      SELECT 1 FROM llm_key_suspensions
       WHERE resumed_at IS NULL AND key_source = ${key.key_source}
         AND credential_id IS NOT DISTINCT FROM ${key.credential_id}::uuid
         AND provider IS NOT DISTINCT FROM ${key.provider}::text) AS suspended`.execute(tx);
  return row.rows[0]?.suspended === true;
}

/** Evaluates the key after a settlement; suspends it (once) when its spend is far above normal. */
export async function checkVelocity(
  tx: TenantTx,
  key: KeyColumns,
  settings: VelocitySettings,
): Promise<Tripped | null> {
  const windowRow = await sql<{ spent: string; since: Date }>`
    WITH since AS (
      SELECT greatest(now() - make_interval(secs => ${settings.windowSeconds}),
                      (SELECT max(resumed_at) FROM llm_key_suspensions
                        WHERE key_source = ${key.key_source}
                          AND credential_id IS NOT DISTINCT FROM ${key.credential_id}::uuid
                          AND provider IS NOT DISTINCT FROM ${key.provider}::text)) AS at)
    SELECT coalesce(sum(u.settled_micros), 0)::text AS spent, (SELECT at FROM since) AS since
      FROM llm_usage u
     WHERE u.created_at >= (SELECT at FROM since) AND u.status = 'settled'
       AND u.key_source = ${key.key_source}
       AND u.credential_id IS NOT DISTINCT FROM ${key.credential_id}::uuid
       AND (${key.provider}::text IS NULL OR u.provider = ${key.provider}::text)`.execute(tx);
  const spent = BigInt(windowRow.rows[0]?.spent ?? '0');
  if (spent <= settings.floorMicros) return null;
  const baseRow = await sql<{ total: string }>`
    SELECT coalesce(sum(settled_micros), 0)::text AS total FROM llm_usage
     WHERE status = 'settled'
       AND created_at >= now() - make_interval(secs => ${settings.windowSeconds}) - make_interval(days => ${settings.baselineDays})
       AND created_at < now() - make_interval(secs => ${settings.windowSeconds})`.execute(tx);
  const total = BigInt(baseRow.rows[0]?.total ?? '0');
  const baseline =
    (total * BigInt(settings.windowSeconds)) / BigInt(settings.baselineDays * 86_400);
  const scaled = (baseline * BigInt(Math.round(settings.multiplier * 1000))) / 1000n;
  const threshold = scaled > settings.floorMicros ? scaled : settings.floorMicros;
  if (spent <= threshold) return null;
  const inserted = await sql<{ id: string }>`
    INSERT INTO llm_key_suspensions (tenant_id, key_source, credential_id, provider, window_micros, threshold_micros)
    VALUES (nullif(current_setting('wardroom.tenant_id', true), '')::uuid, ${key.key_source},
            ${key.credential_id}::uuid, ${key.provider}::text, ${spent}, ${threshold})
    ON CONFLICT DO NOTHING
    RETURNING id`.execute(tx);
  const id = inserted.rows[0]?.id;
  if (id === undefined) return null; // already suspended
  await recordEvent(tx, {
    action: 'llm_key.suspended',
    targets: [{ type: 'llm_key_suspension', id }],
    metadata: {
      key: keyLabel(key),
      window_seconds: settings.windowSeconds,
      window_micros: Number(spent),
      threshold_micros: Number(threshold),
    },
  });
  return { suspensionId: id, key, windowMicros: spent, thresholdMicros: threshold };
}
