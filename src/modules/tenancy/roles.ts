/**
 * Workspace roles. The four ranked roles nest (owner > admin > member >
 * viewer); named roles (founder, finance_lead) are held beside a ranked role
 * and gate high-stakes actions whatever the rank.
 */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export const NAMED_ROLES = ['founder', 'finance_lead'] as const;

export type Role = (typeof ROLES)[number];
export type NamedRole = (typeof NAMED_ROLES)[number];

const RANK: Record<Role, number> = { owner: 4, admin: 3, member: 2, viewer: 1 };

export function hasAtLeast(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isNamedRole(value: string): value is NamedRole {
  return (NAMED_ROLES as readonly string[]).includes(value);
}

/** The caller inside a workspace, as resolved from their credential. */
export interface Member {
  readonly userId: string;
  readonly role: Role;
  readonly namedRoles: readonly NamedRole[];
}
