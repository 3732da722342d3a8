/**
 * Privacy requests as stored: the columns read back (dates as text), where
 * each personal field is sealed, and the view the API answers with. The
 * requester's email and name and the details are sealed under the
 * workspace's data key, bound to (workspace, privacy_requests, column, id):
 * a sealed value moved to another request or workspace fails to open.
 */
import { sql } from 'kysely';
import { AppError } from '../../base/errors.js';
import type { PrivacyRequestState, PrivacyRequestType } from '../../db/schema-privacy.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import type { Keyring } from '../keys/index.js';
import { dateOf, type IsoDate } from './calendar.js';
import { LAWS, type LawCode } from './laws.js';

export const REQUEST_STATES = [
  'received',
  'identity_verified',
  'in_progress',
  'completed',
  'denied',
  'cancelled',
] as const satisfies readonly PrivacyRequestState[];

export const OPEN_STATES = ['received', 'identity_verified', 'in_progress'] as const;

export type SealedColumn = 'subject_email_sealed' | 'subject_name_sealed' | 'details_sealed';

/** Where a request's personal field is sealed (keys/sealed-fields.ts lists the same). */
export const fieldRef = (id: string, column: SealedColumn) => ({
  table: 'privacy_requests',
  column,
  rowId: id.toLowerCase(),
});

/** The columns a view needs, dates as `YYYY-MM-DD` text. */
export const REQUEST_COLUMNS = [
  'id',
  'type',
  'state',
  'subject_user_id',
  'subject_email_sealed',
  'subject_name_sealed',
  'details_sealed',
  'jurisdiction',
  'region',
  'law',
  'received_at',
  sql<IsoDate>`due_on::text`.as('due_on'),
  sql<IsoDate | null>`extended_due_on::text`.as('extended_due_on'),
  'extension_reason',
  'extended_at',
  'denial_reason',
  'identity_verified_at',
  'closed_at',
  'created_by',
  'created_at',
  'updated_at',
] as const;

export interface RequestRow {
  readonly id: string;
  readonly type: PrivacyRequestType;
  readonly state: PrivacyRequestState;
  readonly subject_user_id: string | null;
  readonly subject_email_sealed: Buffer | null;
  readonly subject_name_sealed: Buffer | null;
  readonly details_sealed: Buffer | null;
  readonly jurisdiction: string | null;
  readonly region: string;
  readonly law: string;
  readonly received_at: Date;
  readonly due_on: IsoDate;
  readonly extended_due_on: IsoDate | null;
  readonly extension_reason: string | null;
  readonly extended_at: Date | null;
  readonly denial_reason: string | null;
  readonly identity_verified_at: Date | null;
  readonly closed_at: Date | null;
  readonly created_by: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export interface RequestView {
  readonly id: string;
  readonly type: PrivacyRequestType;
  readonly state: PrivacyRequestState;
  readonly subject: {
    readonly user_id: string | null;
    readonly email: string | null;
    readonly name: string | null;
  };
  readonly details: string | null;
  readonly jurisdiction: string | null;
  /** The workspace's region when the request was received. */
  readonly region: string;
  readonly law: { readonly code: string; readonly name: string; readonly statutory: boolean };
  readonly received_at: string;
  readonly due_on: IsoDate;
  readonly extended_due_on: IsoDate | null;
  /** The deadline in force: the extended one when extended. */
  readonly effective_due_on: IsoDate;
  readonly extension_reason: string | null;
  readonly denial_reason: string | null;
  readonly identity_verified_at: string | null;
  readonly closed_at: string | null;
  /** Open and past its deadline (UTC dates). */
  readonly overdue: boolean;
  readonly created_by: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export const requestNotFound = (): AppError =>
  new AppError('not_found', 'Privacy request not found');

export const isOpen = (state: PrivacyRequestState): boolean =>
  (OPEN_STATES as readonly string[]).includes(state);

export const effectiveDue = (r: Pick<RequestRow, 'due_on' | 'extended_due_on'>): IsoDate =>
  r.extended_due_on ?? r.due_on;

function lawOf(code: string): RequestView['law'] {
  const law = LAWS[code as LawCode] as (typeof LAWS)[LawCode] | undefined;
  return { code, name: law?.name ?? code, statutory: law?.statutory ?? false };
}

/** Views of `rows` with their sealed fields opened (one key lookup for the page). */
export async function toViews(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  rows: readonly RequestRow[],
  now: Date,
): Promise<RequestView[]> {
  const columns: SealedColumn[] = ['subject_email_sealed', 'subject_name_sealed', 'details_sealed'];
  const wanted: { row: number; column: SealedColumn; envelope: Buffer }[] = [];
  rows.forEach((r, row) => {
    for (const column of columns) {
      const envelope = r[column];
      if (envelope !== null) wanted.push({ row, column, envelope });
    }
  });
  const opened =
    wanted.length === 0
      ? []
      : await keyring.openMany(
          tx,
          wanted.map((w) => ({
            ref: fieldRef(rows[w.row]?.id ?? '', w.column),
            envelope: w.envelope,
          })),
        );
  const plain = rows.map(() => new Map<SealedColumn, string>());
  wanted.forEach((w, i) =>
    plain[w.row]?.set(w.column, (opened[i] ?? Buffer.alloc(0)).toString('utf8')),
  );
  const today = dateOf(now);
  return rows.map((r, i) => {
    const fields = plain[i] ?? new Map<SealedColumn, string>();
    const due = effectiveDue(r);
    return {
      id: r.id,
      type: r.type,
      state: r.state,
      subject: {
        user_id: r.subject_user_id,
        email: fields.get('subject_email_sealed') ?? null,
        name: fields.get('subject_name_sealed') ?? null,
      },
      details: fields.get('details_sealed') ?? null,
      jurisdiction: r.jurisdiction,
      region: r.region,
      law: lawOf(r.law),
      received_at: r.received_at.toISOString(),
      due_on: r.due_on,
      extended_due_on: r.extended_due_on,
      effective_due_on: due,
      extension_reason: r.extension_reason,
      denial_reason: r.denial_reason,
      identity_verified_at: r.identity_verified_at?.toISOString() ?? null,
      closed_at: r.closed_at?.toISOString() ?? null,
      overdue: isOpen(r.state) && today > due,
      created_by: r.created_by,
      created_at: r.created_at.toISOString(),
      updated_at: r.updated_at.toISOString(),
    };
  });
}

export async function toView(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  row: RequestRow,
  now: Date,
): Promise<RequestView> {
  const [view] = await toViews(tx, keyring, [row], now);
  if (view === undefined) throw requestNotFound();
  return view;
}
