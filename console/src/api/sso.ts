/** SSO: where a sign-in starts, and a workspace's connections and policy (admins). */
import { api, query, seg } from './client';

/** The start route for a work email or a workspace id (a full-page navigation, not a fetch). */
export function ssoStartUrl(emailOrWorkspace: string): string {
  const value = emailOrWorkspace.trim();
  const isWorkspaceId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(
    value,
  );
  return `/api/v1/auth/sso/start${query(isWorkspaceId ? { workspace: value } : { email: value })}`;
}

export type JitRole = 'admin' | 'member' | 'viewer';

export interface Connection {
  readonly id: string;
  readonly kind: 'oidc' | 'saml';
  readonly name: string;
  readonly enabled: boolean;
  readonly allowed_domains: string[];
  readonly jit_role: JitRole | null;
  readonly oidc: {
    readonly issuer: string;
    readonly client_id: string;
    readonly client_secret: { readonly set: true; readonly last4: string | null };
  } | null;
  readonly saml: {
    readonly idp_entity_id: string;
    readonly idp_sso_url: string;
    readonly idp_certificates: { subject: string; not_after: string; sha256: string }[];
  } | null;
}

/** What the connection form sends; fields of the other kind are left out. */
export type ConnectionInput = Readonly<Record<string, unknown>>;

const base = (ws: string) => `/workspaces/${seg(ws)}/sso`;

export const listConnections = async (ws: string): Promise<Connection[]> =>
  (await api.get<{ items: Connection[] }>(`${base(ws)}/connections`)).items;

export const createConnection = (ws: string, body: ConnectionInput): Promise<Connection> =>
  api.post<Connection>(`${base(ws)}/connections`, body);

export const updateConnection = (
  ws: string,
  id: string,
  body: ConnectionInput,
): Promise<Connection> => api.patch<Connection>(`${base(ws)}/connections/${seg(id)}`, body);

export async function deleteConnection(ws: string, id: string): Promise<void> {
  await api.delete<unknown>(`${base(ws)}/connections/${seg(id)}`);
}

export const getPolicy = (ws: string): Promise<{ require_sso: boolean }> =>
  api.get<{ require_sso: boolean }>(`${base(ws)}/policy`);

export const setPolicy = (ws: string, requireSso: boolean): Promise<{ require_sso: boolean }> =>
  api.put<{ require_sso: boolean }>(`${base(ws)}/policy`, { require_sso: requireSso });
