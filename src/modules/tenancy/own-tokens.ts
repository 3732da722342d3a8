/**
 * A person's own API tokens in one workspace: listed without their secrets,
 * and revoked only by the person they act for. Each query runs in the
 * request's tenant transaction and names the caller's user id, so another
 * member's token id, or another workspace's, is `not_found` and changes
 * nothing.
 */
import { AppError } from '../../base/errors.js';
import type { TenantTx } from '../../db/tenant-tx.js';

export type TokenStatus = 'active' | 'expired' | 'revoked';

export interface TokenView {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
  /** The token's last four characters; null for tokens made before migration 014. */
  readonly last_four: string | null;
  readonly status: TokenStatus;
  /** Whether this is the token the request was made with. */
  readonly current: boolean;
}

/** At most this many tokens are listed, newest first. */
export const TOKEN_LIST_LIMIT = 200;
/** At most this many live (neither revoked nor expired) tokens per person and workspace. */
export const LIVE_TOKEN_LIMIT = 50;

interface TokenRow {
  id: string;
  name: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_four: string | null;
}

export function tokenView(row: TokenRow, currentTokenId?: string): TokenView {
  const now = new Date();
  const status: TokenStatus =
    row.revoked_at !== null
      ? 'revoked'
      : row.expires_at !== null && row.expires_at <= now
        ? 'expired'
        : 'active';
  return {
    id: row.id,
    name: row.name,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
    last_four: row.last_four,
    status,
    current: row.id === currentTokenId,
  };
}

const COLUMNS = ['id', 'name', 'created_at', 'expires_at', 'revoked_at', 'last_four'] as const;

/** The person's tokens in the transaction's workspace, newest first; never a secret or its hash. */
export async function listOwnTokens(
  tx: TenantTx,
  userId: string,
  currentTokenId?: string,
): Promise<TokenView[]> {
  const rows = await tx
    .selectFrom('api_tokens')
    .select(COLUMNS)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(TOKEN_LIST_LIMIT)
    .execute();
  return rows.map((r) => tokenView(r, currentTokenId));
}

/**
 * Refuses (`too_many_tokens`) a new token for a person who already holds
 * LIVE_TOKEN_LIMIT live ones here. The person's membership row is locked
 * first, so two creations at once cannot both pass the count.
 */
export async function assertRoomForToken(tx: TenantTx, userId: string): Promise<void> {
  await tx
    .selectFrom('memberships')
    .select('user_id')
    .where('user_id', '=', userId)
    .forUpdate()
    .execute();
  const { live } = await tx
    .selectFrom('api_tokens')
    .select((e) => e.fn.countAll<string>().as('live'))
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where((e) => e.or([e('expires_at', 'is', null), e('expires_at', '>', new Date())]))
    .executeTakeFirstOrThrow();
  if (Number(live) >= LIVE_TOKEN_LIMIT) {
    throw new AppError(
      'too_many_tokens',
      `You already have ${String(LIVE_TOKEN_LIMIT)} live API tokens here; revoke one first`,
    );
  }
}

/** Revokes one of the person's own live tokens; anything else is `not_found`. */
export async function revokeOwnToken(tx: TenantTx, userId: string, tokenId: string): Promise<void> {
  const result = await tx
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) {
    throw new AppError('not_found', 'Token not found or already revoked');
  }
}

/** One of the person's tokens, as listed (after it was created). */
export async function ownToken(tx: TenantTx, userId: string, tokenId: string): Promise<TokenView> {
  const row = await tx
    .selectFrom('api_tokens')
    .select(COLUMNS)
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', 'Token not found');
  return tokenView(row);
}
