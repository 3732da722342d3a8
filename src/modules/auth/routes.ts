/**
 * The account routes: email sign-in, the signed-in person, their sessions
 * and their workspaces. They are not workspace routes (no tenant in the
 * path), so they have their own kind: public, or a session required. The
 * server assembly (api/register-account-route.ts) resolves the session,
 * checks CSRF and rate limits before a handler runs.
 */
import { z } from 'zod';
import { userPrincipal, type RequestOrigin } from '../../db/principal.js';
import { routeDefiner, type RouteDef } from '../../http/route.js';
import { AppError } from '../../base/errors.js';
import { createWorkspace, REGIONS, type WorkspaceKeyMaker } from '../tenancy/index.js';
import { clearSessionCookie, setSessionCookie } from './cookie.js';
import { listMemberships, listSessions, revokeSession, signOut, type Session } from './sessions.js';
import type { SessionCache } from './session-cache.js';
import { startSignIn, verifySignIn, type AuthDeps } from './sign-in.js';

export type AccountAccess = { readonly kind: 'public' } | { readonly kind: 'session' };

export interface AccountContext {
  readonly origin: RequestOrigin;
  /** Set on every `session` route. */
  readonly session: Session | undefined;
  /** The request came over TLS (the cookie's name and Secure follow it). */
  readonly secure: boolean;
  setCookie(value: string): void;
}

export type AccountRoute = RouteDef<AccountContext, AccountAccess>;

const defineAccountRoute = routeDefiner<AccountContext, AccountAccess>();

function signedIn(ctx: AccountContext): Session {
  if (ctx.session === undefined) throw new AppError('unauthenticated', 'Sign in first');
  return ctx.session;
}

const email = z.email().max(320);
const user = z.object({ id: z.string(), email: z.string() });
const membership = z.object({
  workspace_id: z.string(),
  workspace_name: z.string(),
  role: z.string(),
  named_roles: z.array(z.string()),
});
const workspaceName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !s.includes('\0'), 'must not contain NUL');

export interface AccountDeps extends AuthDeps {
  readonly keyring: WorkspaceKeyMaker;
  /** This process's session cache: revocations drop their entries before answering. */
  readonly sessionCache?: SessionCache | undefined;
}

const signInRoutes = (deps: AccountDeps): AccountRoute[] => [
  defineAccountRoute({
    method: 'POST',
    url: '/api/v1/auth/email/start',
    summary: 'Email a one-time sign-in code (same answer whether the address is known or not)',
    tags: ['auth'],
    access: { kind: 'public' },
    params: z.strictObject({}),
    body: z.strictObject({ email }),
    status: 202,
    response: z.object({ status: z.literal('code_sent_if_known') }),
    errors: ['rate_limited'],
    handler: async (ctx, { body }) => {
      await startSignIn(deps, body.email, ctx.origin);
      return { status: 'code_sent_if_known' as const };
    },
  }),
  defineAccountRoute({
    method: 'POST',
    url: '/api/v1/auth/email/verify',
    summary: 'Exchange a sign-in code for a session (sets the session cookie)',
    tags: ['auth'],
    access: { kind: 'public' },
    params: z.strictObject({}),
    body: z.strictObject({ email, code: z.string().regex(/^[0-9]{6}$/, 'six digits') }),
    status: 200,
    response: z.object({ user, csrf_token: z.string() }),
    errors: ['code_invalid', 'code_expired', 'code_attempts_exceeded', 'rate_limited'],
    handler: async (ctx, { body }) => {
      const signed = await verifySignIn(deps, body, ctx.origin);
      ctx.setCookie(
        setSessionCookie(signed.token, ctx.secure, deps.settings.sessionLifetimeSeconds),
      );
      return { user: signed.user, csrf_token: signed.csrfToken };
    },
  }),
  defineAccountRoute({
    method: 'POST',
    url: '/api/v1/auth/sign-out',
    summary: 'Sign out this session',
    tags: ['auth'],
    access: { kind: 'session' },
    params: z.strictObject({}),
    status: 204,
    response: z.null(),
    errors: ['csrf_failed'],
    handler: async (ctx) => {
      await signOut(deps, signedIn(ctx), false);
      ctx.setCookie(clearSessionCookie(ctx.secure));
      return null;
    },
  }),
  defineAccountRoute({
    method: 'POST',
    url: '/api/v1/auth/sign-out-everywhere',
    summary: 'Sign out every session of the signed-in person',
    tags: ['auth'],
    access: { kind: 'session' },
    params: z.strictObject({}),
    status: 204,
    response: z.null(),
    errors: ['csrf_failed'],
    handler: async (ctx) => {
      await signOut(deps, signedIn(ctx), true);
      ctx.setCookie(clearSessionCookie(ctx.secure));
      return null;
    },
  }),
];

const meRoutes = (deps: AccountDeps): AccountRoute[] => [
  defineAccountRoute({
    method: 'GET',
    url: '/api/v1/me',
    summary: 'The signed-in person, their workspaces and the CSRF token of this session',
    tags: ['auth'],
    access: { kind: 'session' },
    params: z.strictObject({}),
    status: 200,
    response: z.object({
      user: user.extend({ display_name: z.string() }),
      memberships: z.array(membership),
      csrf_token: z.string(),
    }),
    errors: [],
    handler: async (ctx) => {
      const session = signedIn(ctx);
      return {
        user: { id: session.userId, email: session.email, display_name: session.displayName },
        memberships: await listMemberships(deps.db, session),
        csrf_token: session.csrfToken,
      };
    },
  }),
  defineAccountRoute({
    method: 'GET',
    url: '/api/v1/me/sessions',
    summary: "The signed-in person's live sessions, newest first",
    tags: ['auth'],
    access: { kind: 'session' },
    params: z.strictObject({}),
    status: 200,
    response: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          created_at: z.string(),
          last_seen_at: z.string(),
          user_agent: z.string().nullable(),
          current: z.boolean(),
          auth_method: z.enum(['email_code', 'sso']),
          sso_workspace_id: z.string().nullable(),
        }),
      ),
    }),
    errors: [],
    handler: async (ctx) => ({ items: await listSessions(deps.db, signedIn(ctx)) }),
  }),
  defineAccountRoute({
    method: 'DELETE',
    url: '/api/v1/me/sessions/:id',
    summary: 'Revoke one of your own sessions',
    tags: ['auth'],
    access: { kind: 'session' },
    params: z.strictObject({ id: z.uuid() }),
    status: 204,
    response: z.null(),
    errors: ['csrf_failed'],
    handler: async (ctx, { params }) => {
      await revokeSession(deps, signedIn(ctx), params.id);
      return null;
    },
  }),
];

const workspaceRoutes = (deps: AccountDeps): AccountRoute[] => [
  defineAccountRoute({
    method: 'POST',
    url: '/api/v1/workspaces',
    summary: 'Create a workspace; the signed-in person becomes its owner',
    tags: ['workspaces'],
    access: { kind: 'session' },
    params: z.strictObject({}),
    body: z.strictObject({ name: workspaceName, region: z.enum(REGIONS) }),
    status: 201,
    response: membership,
    errors: ['csrf_failed'],
    handler: async (ctx, { body }) => {
      const session = signedIn(ctx);
      const created = await createWorkspace(
        deps.db,
        deps.keyring,
        { name: body.name, region: body.region, ownerEmail: session.email },
        (ws) => userPrincipal(ws, session.userId, ctx.origin),
      );
      return {
        workspace_id: created.workspaceId,
        workspace_name: body.name,
        role: 'owner',
        named_roles: [],
      };
    },
  }),
  defineAccountRoute({
    method: 'GET',
    url: '/api/v1/workspaces',
    summary: "The signed-in person's workspaces",
    tags: ['workspaces'],
    access: { kind: 'session' },
    params: z.strictObject({}),
    status: 200,
    response: z.object({ items: z.array(membership) }),
    errors: [],
    handler: async (ctx) => ({ items: await listMemberships(deps.db, signedIn(ctx)) }),
  }),
];

export function accountRoutes(deps: AccountDeps): AccountRoute[] {
  return [...signInRoutes(deps), ...meRoutes(deps), ...workspaceRoutes(deps)];
}
