/**
 * Bearer-token authentication and role checks. The token is parsed without
 * touching the database; it is verified inside the request's tenant
 * transaction, so authentication and the handler share one round of BEGIN.
 * A token for another workspace answers 404 exactly like a missing one.
 */
import type { TenantTx } from '../db/tenant-tx.js';
import { AppError } from '../base/errors.js';
import { verifyApiToken } from '../modules/tenancy/api-tokens.js';
import { hasAtLeast, type Member } from '../modules/tenancy/roles.js';
import { parseToken, type ParsedToken } from '../modules/tenancy/token-format.js';
import type { Access } from '../http/route.js';

export function parseBearer(header: string | undefined): ParsedToken {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  const token = match?.[1] === undefined ? undefined : parseToken(match[1]);
  if (token === undefined) {
    throw new AppError('unauthenticated', 'Send a valid API token: Authorization: Bearer wr_...');
  }
  return token;
}

export async function authenticate(tx: TenantTx, token: ParsedToken): Promise<Member> {
  return verifyApiToken(tx, token);
}

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
    case 'public':
      return 'Public.';
    case 'token':
      return 'Any valid API token.';
    case 'role':
      return `Requires the ${access.role} role or higher in the workspace.`;
    case 'named_role':
      return `Requires one of the named roles: ${access.anyOf.join(', ')}.`;
  }
}
