/** The signed-in person: email-code sign-in, GET /me, sign-out, creating a workspace. */
import { api, ApiError, setCsrfToken } from './client';

export interface User {
  readonly id: string;
  readonly email: string;
  readonly display_name?: string | null;
}

export interface Membership {
  readonly workspace_id: string;
  readonly workspace_name: string;
  readonly role: string;
  readonly named_roles: readonly string[];
}

export interface Me {
  readonly user: User;
  readonly memberships: readonly Membership[];
  readonly csrf_token: string;
}

export async function startEmailSignIn(email: string): Promise<void> {
  await api.post('/auth/email/start', { email });
}

export async function verifyEmailCode(email: string, code: string): Promise<void> {
  const res = await api.post<{ csrf_token: string }>('/auth/email/verify', { email, code });
  setCsrfToken(res.csrf_token);
}

/** The signed-in person, or undefined when there is no session. */
export async function fetchMe(): Promise<Me | undefined> {
  try {
    const me = await api.get<Me>('/me');
    setCsrfToken(me.csrf_token);
    return me;
  } catch (error) {
    // No session: 401. A server without sign-in has no /me at all (404): nobody is signed in.
    if (error instanceof ApiError && (error.code === 'unauthenticated' || error.status === 404)) {
      return undefined;
    }
    throw error;
  }
}

export async function signOut(): Promise<void> {
  await api.post('/auth/sign-out');
  setCsrfToken(undefined);
}

/** The regions a workspace's data can live in (the server's list; it rejects any other). */
export const REGIONS = ['us', 'eu', 'me-south', 'ap-northeast'] as const;
export type Region = (typeof REGIONS)[number];

export async function createWorkspace(name: string, region: Region): Promise<Membership> {
  return api.post<Membership>('/workspaces', { name, region });
}

export interface ScheduledDeletion {
  readonly id: string;
  readonly origin: 'account' | 'request';
  readonly state: 'pending' | 'cancelled' | 'running' | 'completed';
  readonly requested_at: string;
  readonly runs_after: string;
  readonly cancelled_at: string | null;
}

export interface AccessExport {
  readonly exists: boolean;
  readonly latest_at: string | null;
  readonly workspace_id: string | null;
}

export interface DeletionStatus {
  readonly deletion: ScheduledDeletion | null;
  readonly access_export: AccessExport;
  readonly cooling_off_days: number;
}

/** The person's latest deletion, whether an access export of theirs exists, the cooling-off. */
export function deletionStatus(): Promise<DeletionStatus> {
  return api.get<DeletionStatus>('/account/deletion');
}

/** Schedules the signed-in person's deletion (a sign-in of the last 10 minutes and their email typed). */
export async function deleteAccount(confirmEmail: string): Promise<ScheduledDeletion> {
  const res = await api.post<{ deletion: ScheduledDeletion }>('/account/delete', {
    confirm_email: confirmEmail,
  });
  return res.deletion;
}

/** Cancels the person's pending deletion. */
export async function cancelDeletion(id: string): Promise<void> {
  await api.post('/account/deletion/cancel', { id });
}
