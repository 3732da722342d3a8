/**
 * Sessions: resolving a cookie's token to its live session (one indexed
 * UPDATE on the token's hash, which also moves the idle deadline; cached
 * for a few seconds per process, see session-cache.ts), the signed-in
 * person's membership in a workspace (inside that workspace's tenant
 * transaction, so RLS decides, on every request: never cached), and what
 * the holder of a session may do about their own account. A revocation
 * notifies every process in its transaction and drops this process's
 * cached entries before answering.
 */
import { AppError } from '../../base/errors.js';
import type { Database } from '../../db/database.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { compiled } from '../../db/compiled.js';
import { NAMED_ROLES, ROLES, type Member } from '../tenancy/index.js';
import { csrfToken, isSessionToken, sessionHash } from './secrets.js';
import { notifySessionsRevoked, type SessionCache } from './session-cache.js';

export interface Session {
  readonly sessionId: string;
  readonly userId: string;
  readonly email: string;
  readonly displayName: string;
  /** How the person signed in: an email code, or SSO through one workspace's connection. */
  readonly method: SignInMethod;
  /** The secret token, kept only for the request (account actions are bound to it). */
  readonly token: string;
  readonly csrfToken: string;
}

export type SignInMethod =
  | { readonly kind: 'email_code' }
  | { readonly kind: 'sso'; readonly workspaceId: string; readonly connectionId: string };

interface SessionRow {
  session_id: string;
  user_id: string;
  email: string;
  display_name: string;
  auth_method: 'email_code' | 'sso';
  sso_workspace_id: string | null;
  sso_connection_id: string | null;
}

function methodOf(row: SessionRow): SignInMethod {
  return row.auth_method === 'sso' &&
    row.sso_workspace_id !== null &&
    row.sso_connection_id !== null
    ? { kind: 'sso', workspaceId: row.sso_workspace_id, connectionId: row.sso_connection_id }
    : { kind: 'email_code' };
}

export interface SessionDeps {
  readonly db: Pick<Database, 'withSystem'>;
  readonly secret: Buffer;
  readonly idleSeconds: number;
  /** This process's cache of resolved sessions (none: every request looks its session up). */
  readonly cache?: SessionCache | undefined;
}

/** The live session of a token; `unauthenticated` when there is none. */
export async function resolveSession(deps: SessionDeps, token: string): Promise<Session> {
  if (!isSessionToken(token)) throw unauthenticated();
  const cached = deps.cache?.get(token);
  if (cached !== undefined) return cached;
  const row = (
    await deps.db.withSystem('auth: resolve session', (tx) =>
      tx.call('auth_session', sessionHash(token), deps.idleSeconds),
    )
  )[0] as SessionRow | null | undefined;
  if (row === null || row === undefined) throw unauthenticated();
  const session: Session = {
    sessionId: row.session_id,
    userId: row.user_id,
    email: row.email,
    displayName: row.display_name,
    method: methodOf(row),
    token,
    csrfToken: csrfToken(deps.secret, token),
  };
  deps.cache?.keep(session, deps.idleSeconds);
  return session;
}

/** Where account actions go: the database, and the cache that must forget what they revoke. */
export interface AccountStore {
  readonly db: Pick<Database, 'withSystem'>;
  readonly sessionCache?: SessionCache | undefined;
}

function unauthenticated(): AppError {
  return new AppError(
    'unauthenticated',
    'Sign in again: the session is missing, expired or revoked',
  );
}

/** Runs on every signed-in request: compiled once (db/compiled.ts). */
const membershipOf = compiled(1, (db, userId: string) =>
  db
    .selectFrom('memberships as m')
    .innerJoin('workspaces as w', 'w.tenant_id', 'm.tenant_id')
    // The workspace's SSO policy rides along: the caller needs it on every request.
    .leftJoin('sso_policies as p', 'p.tenant_id', 'm.tenant_id')
    .select(['m.user_id', 'm.role', 'm.named_roles', 'w.shredded_at', 'p.require_sso'])
    .where('m.user_id', '=', userId),
);

/**
 * The signed-in person as a member of the transaction's workspace, and
 * whether the workspace requires SSO (one statement); 404 as for a missing
 * workspace when they are not one, 410 once it is shredded.
 */
export async function sessionMember(
  tx: TenantTx,
  userId: string,
): Promise<{ member: Member; requireSso: boolean }> {
  const [row] = await membershipOf(tx, userId);
  if (row === undefined) throw new AppError('not_found', 'Workspace not found');
  if (row.shredded_at !== null) {
    throw new AppError(
      'workspace_shredded',
      'This workspace was crypto-shredded and no longer exists',
    );
  }
  const role = ROLES.find((r) => r === row.role);
  if (role === undefined) throw new AppError('internal', 'Membership has an unknown role');
  const named = NAMED_ROLES.filter((r) => row.named_roles.includes(r));
  return {
    member: { userId: row.user_id, role, namedRoles: named },
    requireSso: row.require_sso === true,
  };
}

export interface MembershipView {
  readonly workspace_id: string;
  readonly workspace_name: string;
  readonly role: string;
  readonly named_roles: string[];
}

export interface SessionView {
  readonly id: string;
  readonly created_at: string;
  readonly last_seen_at: string;
  readonly user_agent: string | null;
  readonly current: boolean;
  /** How the session was made; for SSO, through which workspace's connection. */
  readonly auth_method: 'email_code' | 'sso';
  readonly sso_workspace_id: string | null;
}

type AccountAction = 'memberships' | 'sessions' | 'revoke' | 'sign_out' | 'sign_out_everywhere';
type RevokingAction = Extract<AccountAction, 'revoke' | 'sign_out' | 'sign_out_everywhere'>;

async function account(
  db: Pick<Database, 'withSystem'>,
  session: Session,
  action: AccountAction,
  sessionId: string | null = null,
): Promise<unknown> {
  const row = (
    await db.withSystem(`auth: account ${action}`, (tx) =>
      tx.call('auth_account', sessionHash(session.token), action, sessionId),
    )
  )[0] as { result: unknown } | null | undefined;
  if (row === null || row === undefined) throw unauthenticated();
  return row.result;
}

/**
 * A revoking action; the revoked ids are announced to every process in
 * the same transaction and dropped from this one's cache once committed.
 */
async function revoking(
  store: AccountStore,
  session: Session,
  action: RevokingAction,
  sessionId: string | null = null,
): Promise<string[]> {
  const revoked = await store.db.withSystem(`auth: account ${action}`, async (tx) => {
    const row = (
      await tx.call('auth_account', sessionHash(session.token), action, sessionId)
    )[0] as { result: unknown } | null | undefined;
    if (row === null || row === undefined) return undefined;
    const ids = row.result as string[];
    await notifySessionsRevoked(tx, ids);
    return ids;
  });
  if (revoked === undefined) throw unauthenticated();
  store.sessionCache?.revoked(revoked);
  return revoked;
}

export async function listMemberships(
  db: Pick<Database, 'withSystem'>,
  session: Session,
): Promise<MembershipView[]> {
  return (await account(db, session, 'memberships')) as MembershipView[];
}

export async function listSessions(
  db: Pick<Database, 'withSystem'>,
  session: Session,
): Promise<SessionView[]> {
  const rows = (await account(db, session, 'sessions')) as (Omit<
    SessionView,
    'created_at' | 'last_seen_at'
  > & { created_at: string; last_seen_at: string })[];
  return rows.map((r) => ({
    ...r,
    created_at: new Date(r.created_at).toISOString(),
    last_seen_at: new Date(r.last_seen_at).toISOString(),
  }));
}

/** Revokes one of the person's own sessions; another person's id is `not_found`. */
export async function revokeSession(
  store: AccountStore,
  session: Session,
  sessionId: string,
): Promise<void> {
  const revoked = await revoking(store, session, 'revoke', sessionId);
  if (revoked.length === 0) throw new AppError('not_found', 'Session not found');
}

export async function signOut(
  store: AccountStore,
  session: Session,
  everywhere: boolean,
): Promise<number> {
  const revoked = await revoking(store, session, everywhere ? 'sign_out_everywhere' : 'sign_out');
  return revoked.length;
}
