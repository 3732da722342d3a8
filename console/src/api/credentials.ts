/**
 * Integration credentials and LLM keys: metadata only ever comes back (the
 * fingerprint and the last four characters); a secret goes in on add and
 * replace and is never returned.
 */
import { api, query, seg } from './client';

/** Each kind and the providers the server accepts for it (its PROVIDERS list). */
export const PROVIDERS = {
  llm_api_key: ['anthropic', 'openai'],
  oauth: ['notion', 'google', 'slack', 'meta', 'custom'],
  webhook_api_key: ['custom'],
  mcp_client: ['notion', 'google', 'slack', 'meta', 'custom'],
  whatsapp_token: ['whatsapp'],
} as const;
export type CredentialKind = keyof typeof PROVIDERS;
export const KINDS = Object.keys(PROVIDERS) as CredentialKind[];

export interface Credential {
  readonly id: string;
  readonly kind: CredentialKind;
  readonly provider: string;
  readonly label: string;
  readonly fingerprint: string;
  /** The secret's last four characters; null for a secret too short to show any. */
  readonly last4: string | null;
  readonly status: 'active' | 'revoked';
  readonly created_at: string;
  readonly replaced_at: string | null;
  readonly revoked_at: string | null;
}

interface CredentialPage {
  readonly items: readonly Credential[];
  readonly next_cursor: string | null;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/credentials`;

/** An OAuth credential's secret is a token set; every other kind holds one value. */
function secretOf(kind: CredentialKind, value: string): Record<string, string> {
  return kind === 'oauth' ? { access_token: value } : { value };
}

/** Every credential of the workspace, oldest first (all pages). */
export async function listCredentials(workspaceId: string): Promise<Credential[]> {
  const all: Credential[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<CredentialPage>(
      `${base(workspaceId)}${query({ limit: 200, cursor })}`,
    );
    all.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}

export function addCredential(
  workspaceId: string,
  input: { kind: CredentialKind; provider: string; label: string; secret: string },
): Promise<Credential> {
  return api.post<Credential>(base(workspaceId), {
    kind: input.kind,
    provider: input.provider,
    label: input.label,
    secret: secretOf(input.kind, input.secret),
  });
}

export function replaceCredential(
  workspaceId: string,
  credential: Credential,
  secret: string,
): Promise<Credential> {
  return api.put<Credential>(`${base(workspaceId)}/${seg(credential.id)}`, {
    secret: secretOf(credential.kind, secret),
  });
}

export async function revokeCredential(workspaceId: string, id: string): Promise<void> {
  await api.delete(`${base(workspaceId)}/${seg(id)}`);
}
