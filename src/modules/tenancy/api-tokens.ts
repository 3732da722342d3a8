/**
 * API tokens: created for a member, shown once, stored as a hash, revocable.
 * Verification runs inside the token's own workspace scope (RLS), so a token
 * can never resolve to another workspace's member.
 */
import { randomUUID } from 'node:crypto';
import { compiled } from '../../db/compiled.js';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import { isNamedRole, isRole, type Member } from './roles.js';
import { mintToken, secretMatches, type ParsedToken } from './token-format.js';

export interface CreatedToken {
  readonly id: string;
  readonly token: string;
}

/** A token for a member; it never expires unless `expiresAt` says when it does. */
export async function createApiToken(
  tx: TenantTx,
  input: { userId: string; name: string; expiresAt?: Date | null | undefined },
): Promise<CreatedToken> {
  const { tenantId } = principalOf(tx);
  const id = randomUUID();
  const { token, secretHash } = mintToken(tenantId, id);
  await tx
    .insertInto('api_tokens')
    .values({
      tenant_id: tenantId,
      id,
      user_id: input.userId,
      name: input.name,
      secret_hash: secretHash,
      expires_at: input.expiresAt ?? null,
      last_four: token.slice(-4),
    })
    .execute();
  return { id, token };
}

/** Creates a token for the workspace's member with this email; `not_found` when there is none. */
export async function createApiTokenForEmail(
  tx: TenantTx,
  input: { email: string; name: string; expiresAt?: Date | null | undefined },
): Promise<CreatedToken> {
  const member = await tx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where((e) => e(e.fn('lower', ['u.email']), '=', input.email.toLowerCase()))
    .executeTakeFirst();
  if (member === undefined) {
    throw new AppError('not_found', 'No member with that email in that workspace');
  }
  return createApiToken(tx, {
    userId: member.user_id,
    name: input.name,
    expiresAt: input.expiresAt,
  });
}

export async function revokeApiToken(tx: TenantTx, tokenId: string): Promise<void> {
  const result = await tx
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n)
    throw new AppError('not_found', 'Token not found or already revoked');
}

/**
 * Resolves a parsed token to the member it acts for; throws `unauthenticated`,
 * `token_expired` for a valid token past its `expires_at` (told only to the
 * holder of the secret), and, for a valid token of a shredded workspace,
 * `workspace_shredded` (410):
 * the same query reads the workspace's `shredded_at`, so every route of the
 * workspace is gone without a query more per request.
 */
// Built and compiled once (db/compiled.ts): it runs on every bearer request.
const tokenLookup = compiled(1, (db, tokenId: string) =>
  db
    .selectFrom('api_tokens as t')
    .innerJoin('memberships as m', (j) =>
      j.onRef('m.tenant_id', '=', 't.tenant_id').onRef('m.user_id', '=', 't.user_id'),
    )
    .innerJoin('workspaces as w', 'w.tenant_id', 't.tenant_id')
    .select([
      't.secret_hash',
      't.revoked_at',
      't.expires_at',
      'm.user_id',
      'm.role',
      'm.named_roles',
      'w.shredded_at',
    ])
    .where('t.id', '=', tokenId),
);

export async function verifyApiToken(tx: TenantTx, token: ParsedToken): Promise<Member> {
  const [row] = await tokenLookup(tx, token.tokenId);
  if (
    row === undefined ||
    row.revoked_at !== null ||
    !secretMatches(token.secret, row.secret_hash)
  ) {
    throw new AppError('unauthenticated', 'Invalid or revoked token');
  }
  if (row.expires_at !== null && row.expires_at <= new Date()) {
    throw new AppError('token_expired', 'This API token has expired; create a new one');
  }
  if (row.shredded_at !== null) {
    throw new AppError(
      'workspace_shredded',
      'This workspace was crypto-shredded and no longer exists',
    );
  }
  if (!isRole(row.role)) throw new AppError('internal', 'Membership has an unknown role');
  return { userId: row.user_id, role: row.role, namedRoles: row.named_roles.filter(isNamedRole) };
}
