/**
 * `POST /api/v1/account/delete`: an account route (no workspace in the
 * path) for the signed-in person. See delete-account.ts for its checks.
 */
import { z } from 'zod';
import { AppError } from '../../../base/errors.js';
import { routeDefiner } from '../../../http/route.js';
import {
  clearSessionCookie,
  type AccountAccess,
  type AccountContext,
  type AccountRoute,
} from '../../auth/index.js';
import { deleteOwnAccount } from './delete-account.js';
import type { DeletionDeps } from './pseudonymise.js';

const defineAccountRoute = routeDefiner<AccountContext, AccountAccess>();

export interface DeletionRouteDeps extends DeletionDeps {
  /** How recent the sign-in must be, in seconds (default 600). */
  readonly freshSeconds?: number | undefined;
}

export function deletionRoutes(deps: DeletionRouteDeps): AccountRoute[] {
  return [
    defineAccountRoute({
      method: 'POST',
      url: '/api/v1/account/delete',
      summary:
        'Delete your own account: pseudonymised everywhere, every session and token ended (needs a sign-in of the last 10 minutes and your email typed)',
      tags: ['auth'],
      access: { kind: 'session' },
      params: z.strictObject({}),
      body: z.strictObject({ confirm_email: z.string().min(1).max(320) }),
      status: 200,
      response: z.object({
        deleted: z.literal(true),
        workspaces: z.number().int(),
        revoked_sessions: z.number().int(),
        revoked_tokens: z.number().int(),
      }),
      errors: ['csrf_failed', 'reauthentication_required', 'confirmation_mismatch', 'last_owner'],
      handler: async (ctx, { body }) => {
        if (ctx.session === undefined) throw new AppError('unauthenticated', 'Sign in first');
        const done = await deleteOwnAccount(deps, ctx.session, body.confirm_email, ctx.origin);
        ctx.setCookie(clearSessionCookie(ctx.secure));
        return {
          deleted: true as const,
          workspaces: done.workspaces.length,
          revoked_sessions: done.revokedSessions,
          revoked_tokens: done.revokedTokens,
        };
      },
    }),
  ];
}
