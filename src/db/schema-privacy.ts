/**
 * Kysely's view of the privacy tables (021), beside schema.ts (which lists
 * them in `DB`) to keep that file within its size limit.
 */
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

export type PrivacyRequestType = 'access' | 'deletion' | 'rectification' | 'opt_out';
type OpenPrivacyRequestState = 'received' | 'identity_verified' | 'in_progress';
export type PrivacyRequestState = OpenPrivacyRequestState | 'completed' | 'denied' | 'cancelled';

/** A data subject request (021): personal fields sealed; read `*_on` dates as text (`due_on::text`). */
export interface PrivacyRequestsTable {
  tenant_id: string;
  id: string;
  type: ColumnType<PrivacyRequestType, PrivacyRequestType, never>;
  state: Generated<PrivacyRequestState>;
  subject_user_id: ColumnType<string | null, string | null | undefined, never>;
  subject_email_sealed: ColumnType<Buffer | null, Buffer | null | undefined, never>;
  subject_name_sealed: ColumnType<Buffer | null, Buffer | null | undefined, never>;
  details_sealed: ColumnType<Buffer | null, Buffer | null | undefined, never>;
  jurisdiction: ColumnType<string | null, string | null | undefined, never>;
  region: ColumnType<string, string, never>;
  law: ColumnType<string, string, never>;
  received_at: ColumnType<Date, Date | undefined, never>;
  due_on: ColumnType<string, string, never>;
  extended_due_on: ColumnType<string | null, never, string | null>;
  extension_reason: ColumnType<string | null, never, string | null>;
  extended_at: ColumnType<Date | null, never, Date | null>;
  denial_reason: ColumnType<string | null, never, string | null>;
  identity_verified_at: ColumnType<Date | null, never, Date | null>;
  closed_at: ColumnType<Date | null, never, Date | null>;
  near_due_notice_for: ColumnType<string | null, never, string | null>;
  overdue_notice_for: ColumnType<string | null, never, string | null>;
  created_by: ColumnType<string | null, string | null, never>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type PrivacyExportState = 'queued' | 'running' | 'completed' | 'failed';

/** An export and its job's status (028); no personal data. */
export interface PrivacyExportsTable {
  tenant_id: string;
  id: string;
  scope: ColumnType<'workspace' | 'personal', 'workspace' | 'personal', never>;
  form: ColumnType<'snapshot' | 'readable', 'snapshot' | 'readable', never>;
  requested_by: ColumnType<string, string, never>;
  request_id: ColumnType<string | null, string | null | undefined, never>;
  state: ColumnType<PrivacyExportState, PrivacyExportState | undefined, PrivacyExportState>;
  progress: ColumnType<Record<string, number>, string | undefined, string>;
  attempts: ColumnType<number, never, number>;
  object_key: ColumnType<string | null, never, string | null>;
  size: ColumnType<string | null, never, number | null>;
  counts: ColumnType<Record<string, number> | null, never, string | null>;
  expires_at: ColumnType<Date | null, never, Date | null>;
  error_code: ColumnType<string | null, never, string | null>;
  started_at: ColumnType<Date | null, never, Date | null>;
  completed_at: ColumnType<Date | null, never, Date | null>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
