/**
 * Who may call a workspace route: any valid credential, a ranked role or
 * higher, or one of the named roles. Every route declares one of these; the
 * server checks it inside the request's tenant transaction.
 */
import { AppError } from '../../base/errors.js';
import { hasAtLeast, type Member, type NamedRole, type Role } from './roles.js';

export type Access =
  | { readonly kind: 'token' }
  | { readonly kind: 'role'; readonly role: Role }
  | { readonly kind: 'named_role'; readonly anyOf: readonly NamedRole[] };

export function authorize(member: Member, access: Access): void {
  if (access.kind === 'role' && !hasAtLeast(member.role, access.role)) {
    throw new AppError('forbidden', `This action needs the ${access.role} role or higher`);
  }
  if (access.kind === 'named_role' && !access.anyOf.some((r) => member.namedRoles.includes(r))) {
    throw new AppError(
      'forbidden',
      `This action needs one of the roles: ${access.anyOf.join(', ')}`,
    );
  }
}

export function describeAccess(access: Access): string {
  switch (access.kind) {
    case 'token':
      return 'Any valid API token.';
    case 'role':
      return `Requires the ${access.role} role or higher in the workspace.`;
    case 'named_role':
      return `Requires one of the named roles: ${access.anyOf.join(', ')}.`;
  }
}
