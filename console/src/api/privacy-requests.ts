/**
 * Privacy (data subject) requests and the workspace's data residency:
 * admins log, read and move requests; owners change the region.
 */
import { api, query, seg } from './client';

export const REQUEST_TYPES = ['access', 'deletion', 'rectification', 'opt_out'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export type RequestState =
  'received' | 'identity_verified' | 'in_progress' | 'completed' | 'denied' | 'cancelled';
export const REGIONS = ['us', 'eu', 'me-south', 'ap-northeast'] as const;
export type Region = (typeof REGIONS)[number];

export interface PrivacyRequest {
  readonly id: string;
  readonly type: RequestType;
  readonly state: RequestState;
  readonly subject: {
    readonly user_id: string | null;
    readonly email: string | null;
    readonly name: string | null;
  };
  readonly details: string | null;
  readonly jurisdiction: string | null;
  readonly region: string;
  readonly law: { readonly code: string; readonly name: string; readonly statutory: boolean };
  readonly received_at: string;
  readonly due_on: string;
  readonly extended_due_on: string | null;
  readonly effective_due_on: string;
  readonly extension_reason: string | null;
  readonly denial_reason: string | null;
  readonly overdue: boolean;
}

export interface Residency {
  readonly region: Region;
  readonly default_law: {
    readonly code: string;
    readonly name: string;
    readonly statutory: boolean;
  };
  readonly regions: readonly { readonly code: Region; readonly law: string }[];
}

export interface NewRequest {
  readonly type: RequestType;
  readonly jurisdiction?: string;
  readonly subject: { readonly email?: string; readonly name?: string };
  readonly details?: string;
}

const base = (ws: string) => `/workspaces/${seg(ws)}/privacy`;

/** Every request of the workspace, oldest first (all pages). */
export async function listRequests(ws: string): Promise<PrivacyRequest[]> {
  const all: PrivacyRequest[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<{ items: PrivacyRequest[]; next_cursor: string | null }>(
      `${base(ws)}/requests${query({ limit: 200, cursor })}`,
    );
    all.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}

export const createRequest = (ws: string, body: NewRequest): Promise<PrivacyRequest> =>
  api.post<PrivacyRequest>(`${base(ws)}/requests`, body);

export const moveRequest = (
  ws: string,
  id: string,
  to: RequestState,
  reason?: string,
): Promise<PrivacyRequest> =>
  api.post<PrivacyRequest>(`${base(ws)}/requests/${seg(id)}/transitions`, {
    to,
    ...(reason === undefined ? {} : { reason }),
  });

export const extendRequest = (ws: string, id: string, reason: string): Promise<PrivacyRequest> =>
  api.post<PrivacyRequest>(`${base(ws)}/requests/${seg(id)}/extension`, { reason });

export const getResidency = (ws: string): Promise<Residency> =>
  api.get<Residency>(`${base(ws)}/residency`);

export const setRegion = (ws: string, region: Region): Promise<Residency> =>
  api.put<Residency>(`${base(ws)}/residency`, { region });

export interface RequestDeletionPlan {
  readonly subject: { readonly is_user: boolean; readonly user_id: string | null };
  readonly access_export: { readonly exists: boolean; readonly latest_at: string | null };
  readonly deletion: { readonly state: string; readonly runs_after: string } | null;
  readonly cooling_off_days: number;
}

/** What confirming a deletion request will do (owners). */
export const requestDeletionPlan = (ws: string, id: string): Promise<RequestDeletionPlan> =>
  api.get<RequestDeletionPlan>(`${base(ws)}/requests/${seg(id)}/deletion`);

/** Confirms a deletion request with the requester's email typed (owners). */
export const confirmRequestDeletion = (
  ws: string,
  id: string,
  confirm: string,
): Promise<{ deletion: { runs_after: string } | null; note: string | null }> =>
  api.post(`${base(ws)}/requests/${seg(id)}/deletion`, { confirm });
