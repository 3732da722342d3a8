/**
 * The workspace roles as the console knows them, to hide what a role cannot
 * do. The API stays the authority: a hidden button is a courtesy, the
 * server's 403 is the rule.
 */
import type { Membership } from './api/account';

export type Role = 'owner' | 'admin' | 'member' | 'viewer';

const RANK: Readonly<Record<string, number>> = { owner: 4, admin: 3, member: 2, viewer: 1 };

/** True when the membership's role is `required` or above it. */
export function hasRole(membership: Membership | undefined, required: Role): boolean {
  if (membership === undefined) return false;
  return (RANK[membership.role] ?? 0) >= (RANK[required] ?? 99);
}

export function hasNamedRole(membership: Membership | undefined, named: string): boolean {
  return membership?.named_roles.includes(named) ?? false;
}
