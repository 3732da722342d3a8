/**
 * The end of every SSO sign-in, whatever the protocol: an identity the IdP
 * vouched for (its signature and claims already checked) becomes a session,
 * if its email is verified, in an allowed domain, and belongs to a member
 * of the flow's workspace (or may join it just in time with the
 * connection's default role). The session is made like an email-code one
 * (a new random token, its SHA-256 stored, the same cookie and CSRF token)
 * and records that it came through this workspace's connection. Success and
 * failure are audit events in the workspace.
 */
import { sql } from 'kysely';
import { AppError, isAppError } from '../../base/errors.js';
import type { Database } from '../../db/database.js';
import { systemPrincipal, userPrincipal, type RequestOrigin } from '../../db/principal.js';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import { csrfToken, newSessionToken, normalizeEmail, sessionHash } from '../auth/index.js';
import type { LiveConnection } from './connections.js';
import { completeFlow, type SessionSettings, type TakenFlow } from './flows.js';

export interface SsoSignInDeps {
  readonly db: Pick<Database, 'withSystem' | 'withTenant'>;
  readonly secret: Buffer;
  readonly settings: SessionSettings;
}

/** What the IdP says about the person, after its response was verified. */
export interface SsoIdentity {
  readonly email: string;
  readonly emailVerified: boolean;
}

export interface SsoSignedIn {
  readonly userId: string;
  readonly email: string;
  readonly token: string;
  readonly csrfToken: string;
  readonly workspaceId: string;
}

/** The principal of SSO work in a workspace before anyone is signed in. */
export function ssoPrincipal(flow: TakenFlow, origin: RequestOrigin) {
  return systemPrincipal(flow.workspaceId, `sso:${flow.connectionId}`, origin.correlationId);
}

export async function finishSignIn(
  deps: SsoSignInDeps,
  flow: TakenFlow,
  connection: LiveConnection,
  identity: SsoIdentity,
  origin: RequestOrigin,
): Promise<SsoSignedIn> {
  if (!identity.emailVerified) {
    throw new AppError('sso_email_unverified', 'The identity provider has not verified this email');
  }
  const email = normalizeEmail(identity.email);
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (!email.includes('@') || !connection.allowedDomains.includes(domain)) {
    throw new AppError(
      'sso_domain_not_allowed',
      'This email domain may not sign in to this workspace with SSO',
    );
  }
  const userId = await deps.db.withTenant(ssoPrincipal(flow, origin), (tx) =>
    memberOrJoin(tx, email, connection.jitRole),
  );
  const token = newSessionToken();
  const sessionId = await completeFlow(
    deps.db,
    flow,
    { userId, sessionHash: sessionHash(token), userAgent: origin.userAgent ?? null },
    deps.settings,
  );
  if (sessionId === undefined) {
    throw new AppError('sso_state_invalid', 'This sign-in has already ended: start again');
  }
  await deps.db.withTenant(userPrincipal(flow.workspaceId, userId, origin), async (tx) => {
    await recordEvent(tx, {
      action: 'auth.sign_in.succeeded',
      targets: [{ type: 'user', id: userId }],
      metadata: { method: 'sso', protocol: connection.kind, connection_id: connection.id },
    });
  });
  return {
    userId,
    email,
    token,
    csrfToken: csrfToken(deps.secret, token),
    workspaceId: flow.workspaceId,
  };
}

/**
 * The member with this email, or, when the connection allows it, a new
 * member with its default role (audited by the memberships trigger as this
 * connection's SSO work); `sso_no_membership` otherwise.
 */
async function memberOrJoin(
  tx: TenantTx,
  email: string,
  jitRole: LiveConnection['jitRole'],
): Promise<string> {
  const found = await tx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('m.user_id')
    .where(sql<string>`lower(u.email)`, '=', email)
    .executeTakeFirst();
  if (found !== undefined) return found.user_id;
  if (jitRole === null) {
    throw new AppError(
      'sso_no_membership',
      'You are not a member of this workspace: ask an admin to invite you',
    );
  }
  const { rows } = await sql<{
    id: string;
  }>`select wardroom.ensure_user(${email}, '') as id`.execute(tx);
  const userId = rows[0]?.id;
  if (userId === undefined) throw new AppError('internal', 'ensure_user returned nothing');
  await tx
    .insertInto('memberships')
    .values({ tenant_id: principalOf(tx).tenantId, user_id: userId, role: jitRole })
    .execute();
  return userId;
}

/**
 * Runs a sign-in step; an SSO refusal is recorded as `auth.sign_in.failed`
 * (with its code) in the flow's workspace, then passed on. Nothing else of
 * the failed attempt stays.
 */
export async function auditingFailure<T>(
  db: Pick<Database, 'withTenant'>,
  flow: TakenFlow,
  origin: RequestOrigin,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const reason = isAppError(error) ? error.code : 'internal';
    await db.withTenant(ssoPrincipal(flow, origin), async (tx) => {
      await recordEvent(tx, {
        action: 'auth.sign_in.failed',
        metadata: { method: 'sso', reason, connection_id: flow.connectionId },
      });
    });
    throw error;
  }
}
