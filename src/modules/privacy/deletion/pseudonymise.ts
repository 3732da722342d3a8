/**
 * Deleting a person, as the documentation promises: their email becomes
 * `deleted-<uuid>@deleted.invalid`, their display name `Deleted User` on
 * every membership profile, their language preference is cleared, and every
 * session, pending sign-in code and API token of theirs ends.
 *
 * The person is global (wardroom.users) but their profiles and tokens live in
 * each workspace, so this is one transaction per workspace (profile, tokens,
 * a `user.pseudonymised` audit event) and then one system transaction for the
 * users row, sessions and codes, which also announces the revoked sessions to
 * every process. Workspaces first: should anything fail half-way, the person
 * can still sign in, and running this again finishes the work (every step
 * is idempotent). The audit events name the user by id only: no old email
 * or name.
 */
import type { Database } from '../../../db/database.js';
import type { Principal } from '../../../db/principal.js';
import { erasePersonKeys, recordEvent } from '../../audit/index.js';
import { notifySessionsRevoked, type SessionCache } from '../../auth/index.js';
import { pseudonymiseMember, type NameSealer } from '../../tenancy/index.js';

export type DeletionReason = 'account_deleted' | 'deletion_request';

export interface DeletionDeps {
  readonly db: Pick<Database, 'withSystem' | 'withTenant'>;
  readonly keyring: Pick<NameSealer, 'seal'>;
  /** This process's session cache: it forgets the revoked sessions before this returns. */
  readonly sessionCache?: SessionCache | undefined;
}

export interface Pseudonymised {
  readonly userId: string;
  readonly workspaces: readonly string[];
  readonly revokedSessions: number;
  readonly revokedTokens: number;
}

/** The person's live workspaces (a definer function: memberships across tenants). */
export async function userWorkspaces(
  db: Pick<Database, 'withSystem'>,
  userId: string,
): Promise<string[]> {
  const [row] = await db.withSystem('privacy: workspaces of a person', (tx) =>
    tx.call('privacy_user_workspaces', userId),
  );
  return (row ?? []) as string[];
}

/**
 * Pseudonymises `userId` everywhere. `actor` names who acts in each
 * workspace's audit log (the person themselves, or the system handling a
 * request). Returns null when there is no such user.
 */
export async function pseudonymiseUser(
  deps: DeletionDeps,
  userId: string,
  actor: (workspaceId: string) => Principal,
  reason: DeletionReason,
): Promise<Pseudonymised | null> {
  const workspaces = await userWorkspaces(deps.db, userId);
  let revokedTokens = 0;
  for (const workspaceId of workspaces) {
    revokedTokens += await deps.db.withTenant(actor(workspaceId), async (tx) => {
      const done = await pseudonymiseMember(tx, deps.keyring, userId);
      await recordEvent(tx, {
        action: 'user.pseudonymised',
        targets: [{ type: 'user', id: userId }],
        metadata: { reason, revoked_tokens: done.revokedTokens },
      });
      return done.revokedTokens;
    });
  }
  const revoked = await deps.db.withSystem('privacy: pseudonymise a person', async (tx) => {
    const [row] = await tx.call('privacy_pseudonymise_user', userId);
    if (row === null || row === undefined) return null;
    const ids = (row as { revoked_sessions: string[] }).revoked_sessions;
    await notifySessionsRevoked(tx, ids);
    // Their name, IP and user agent in every audit log were sealed under these keys.
    await erasePersonKeys(tx, userId);
    return ids;
  });
  if (revoked === null) return null;
  deps.sessionCache?.revoked(revoked);
  return { userId, workspaces, revokedSessions: revoked.length, revokedTokens };
}
