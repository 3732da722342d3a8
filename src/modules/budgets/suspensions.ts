/** Key suspensions by the velocity tripwire: list, and resume (owners). */
import { sql } from 'kysely';
import { AppError } from '../../base/errors.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import { keyLabel, type KeySourceName } from './key-ref.js';

export interface SuspensionView {
  readonly id: string;
  readonly key: string;
  readonly key_source: KeySourceName;
  readonly credential_id: string | null;
  readonly provider: string | null;
  readonly window_micros: number;
  readonly threshold_micros: number;
  readonly suspended_at: string;
  readonly resumed_at: string | null;
  readonly resumed_by: string | null;
}

const COLUMNS = [
  'id',
  'key_source',
  'credential_id',
  'provider',
  'window_micros',
  'threshold_micros',
  'suspended_at',
  'resumed_at',
  'resumed_by',
] as const;

type Row = {
  id: string;
  key_source: KeySourceName;
  credential_id: string | null;
  provider: string | null;
  window_micros: string;
  threshold_micros: string;
  suspended_at: Date;
  resumed_at: Date | null;
  resumed_by: string | null;
};

export async function listSuspensions(
  tx: TenantTx,
  status: 'live' | 'all',
): Promise<{ items: SuspensionView[] }> {
  let query = tx.selectFrom('llm_key_suspensions').select(COLUMNS);
  if (status === 'live') query = query.where('resumed_at', 'is', null);
  const rows = await query.orderBy('id', 'desc').limit(200).execute();
  return { items: rows.map(toView) };
}

/** Resumes a live suspension; a resumed or unknown one is not_found (nothing changes). */
export async function resumeSuspension(
  tx: TenantTx,
  id: string,
  userId: string,
): Promise<SuspensionView> {
  const rows = await sql<Row>`
    UPDATE llm_key_suspensions SET resumed_at = now(), resumed_by = ${userId}
     WHERE id = ${id} AND resumed_at IS NULL
     RETURNING id, key_source, credential_id, provider, window_micros::text, threshold_micros::text,
               suspended_at, resumed_at, resumed_by`.execute(tx);
  const row = rows.rows[0];
  if (row === undefined) throw new AppError('not_found', 'No live suspension with this id');
  const view = toView(row);
  await recordEvent(tx, {
    action: 'llm_key.resumed',
    targets: [{ type: 'llm_key_suspension', id }],
    metadata: { key: view.key },
  });
  return view;
}

function toView(r: Row): SuspensionView {
  return {
    id: r.id,
    key: keyLabel(r),
    key_source: r.key_source,
    credential_id: r.credential_id,
    provider: r.provider,
    window_micros: Number(r.window_micros),
    threshold_micros: Number(r.threshold_micros),
    suspended_at: r.suspended_at.toISOString(),
    resumed_at: r.resumed_at?.toISOString() ?? null,
    resumed_by: r.resumed_by,
  };
}
