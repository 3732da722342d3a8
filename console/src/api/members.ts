/** The current workspace's members: list, invite by email, change role or named roles, remove. */
import type { Role } from '../roles';
import { api, seg } from './client';

export const ROLES: readonly Role[] = ['owner', 'admin', 'member', 'viewer'];
export const NAMED_ROLES = ['founder', 'finance_lead'] as const;
export type NamedRole = (typeof NAMED_ROLES)[number];

export interface Member {
  readonly user_id: string;
  readonly email: string;
  readonly display_name: string;
  readonly role: Role;
  readonly named_roles: readonly NamedRole[];
  readonly created_at: string;
}

export interface Invited extends Member {
  readonly invitation_email: {
    readonly sent: boolean;
    readonly error_code: 'mail_refused' | 'mail_timeout' | 'mail_unavailable' | null;
  };
}

const base = (ws: string): string => `/workspaces/${seg(ws)}/members`;

export async function listMembers(ws: string): Promise<readonly Member[]> {
  return (await api.get<{ items: readonly Member[] }>(base(ws))).items;
}

export const inviteMember = (
  ws: string,
  input: { email: string; role: Role; display_name?: string },
): Promise<Invited> => api.post(base(ws), input);

export const changeMember = (
  ws: string,
  userId: string,
  change: { role?: Role; named_roles?: readonly NamedRole[] },
): Promise<Member> => api.patch(`${base(ws)}/${seg(userId)}`, change);

export const removeMember = (ws: string, userId: string): Promise<void> =>
  api.delete(`${base(ws)}/${seg(userId)}`);
