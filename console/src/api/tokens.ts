/** The signed-in person's sessions (GET /me/sessions) and their own API tokens in a workspace. */
import { api, seg } from './client';

export interface SessionInfo {
  readonly id: string;
  readonly created_at: string;
  readonly last_seen_at: string;
  readonly user_agent: string | null;
  /** This browser's own session. */
  readonly current: boolean;
}

export async function listSessions(): Promise<readonly SessionInfo[]> {
  return (await api.get<{ items: SessionInfo[] }>('/me/sessions')).items;
}

export async function revokeSession(id: string): Promise<void> {
  await api.delete(`/me/sessions/${seg(id)}`);
}

export async function signOutEverywhere(): Promise<void> {
  await api.post('/auth/sign-out-everywhere');
}

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
  readonly last_four: string | null;
  readonly status: 'active' | 'expired' | 'revoked';
  readonly current: boolean;
}

/** A new token: as listed, plus its secret, which the server shows this once. */
export interface CreatedToken extends ApiToken {
  readonly token: string;
}

/** The expiries the console offers, in days; null: never (the API allows 1 to 365). */
export const TOKEN_EXPIRIES = [7, 30, 90, 365, null] as const;
export type TokenExpiry = (typeof TOKEN_EXPIRIES)[number];

const tokensPath = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/tokens`;

export async function listTokens(workspaceId: string): Promise<readonly ApiToken[]> {
  return (await api.get<{ items: ApiToken[] }>(tokensPath(workspaceId))).items;
}

export async function createToken(
  workspaceId: string,
  name: string,
  expiresInDays: TokenExpiry,
): Promise<CreatedToken> {
  return api.post<CreatedToken>(tokensPath(workspaceId), {
    name,
    expires_in_days: expiresInDays,
  });
}

export async function revokeToken(workspaceId: string, tokenId: string): Promise<void> {
  await api.delete(`${tokensPath(workspaceId)}/${seg(tokenId)}`);
}
