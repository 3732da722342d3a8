/**
 * Exports: an owner's workspace export (snapshot or readable, possibly
 * answering an access request) and any member's personal export. Each runs
 * as a job: the record says its state and progress, and once completed
 * carries a fresh signed download link.
 */
import { api, query, seg } from './client';

export type ExportScope = 'workspace' | 'personal';
export type ExportForm = 'snapshot' | 'readable';
export type ExportState = 'queued' | 'running' | 'completed' | 'failed';

export interface ExportRecord {
  readonly id: string;
  readonly scope: ExportScope;
  readonly form: ExportForm;
  readonly state: ExportState;
  readonly requested_by: string;
  readonly request_id: string | null;
  readonly progress: Readonly<Record<string, number>>;
  readonly attempts: number;
  readonly file_name: string | null;
  readonly size: number | null;
  readonly counts: Readonly<Record<string, number>> | null;
  readonly download_url: string | null;
  readonly expires_at: string | null;
  readonly error_code: string | null;
  readonly created_at: string;
  readonly completed_at: string | null;
}

export interface NewExport {
  readonly scope: ExportScope;
  readonly form?: ExportForm;
  readonly request_id?: string;
}

const base = (ws: string) => `/workspaces/${seg(ws)}/privacy/exports`;

export const startExport = (ws: string, body: NewExport): Promise<ExportRecord> =>
  api.post<ExportRecord>(base(ws), body);

export const listExports = async (ws: string): Promise<ExportRecord[]> =>
  (await api.get<{ items: ExportRecord[] }>(`${base(ws)}${query({ limit: 50 })}`)).items;

export const isRunning = (e: ExportRecord): boolean =>
  e.state === 'queued' || e.state === 'running';
