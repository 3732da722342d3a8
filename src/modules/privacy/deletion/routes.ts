/**
 * The account's deletion routes (no workspace in the path) for the
 * signed-in person: read the state (with the export guard), schedule
 * (`POST /account/delete`, see delete-account.ts for its checks), cancel.
 */
import { z } from 'zod';
import { AppError } from '../../../base/errors.js';
import { routeDefiner } from '../../../http/route.js';
import type { AccountAccess, AccountContext, AccountRoute } from '../../auth/index.js';
import type { Session } from '../../auth/index.js';
import {
  cancelOwnDeletion,
  ownDeletionStatus,
  scheduleOwnDeletion,
  type CoolingDeps,
} from './delete-account.js';
import { personExportEvidence } from './export-guard.js';
import { deletionView, exportEvidence } from './schemas.js';

const defineAccountRoute = routeDefiner<AccountContext, AccountAccess>();

export type DeletionRouteDeps = CoolingDeps;

const signedIn = (ctx: AccountContext): Session => {
  if (ctx.session === undefined) throw new AppError('unauthenticated', 'Sign in first');
  return ctx.session;
};

export function deletionRoutes(deps: DeletionRouteDeps): AccountRoute[] {
  return [
    defineAccountRoute({
      method: 'GET',
      url: '/api/v1/account/deletion',
      summary:
        'Your deletion: the latest one scheduled (pending, cancelled, running or completed), whether an access export of yours exists, and the cooling-off period',
      tags: ['auth'],
      access: { kind: 'session' },
      params: z.strictObject({}),
      status: 200,
      response: z.object({
        deletion: deletionView.nullable(),
        access_export: exportEvidence,
        cooling_off_days: z.number().int(),
      }),
      errors: [],
      handler: async (ctx) => ownDeletionStatus(deps, signedIn(ctx)),
    }),
    defineAccountRoute({
      method: 'POST',
      url: '/api/v1/account/delete',
      summary:
        'Schedule the deletion of your own account after the cooling-off period (default 7 days; cancellable; the account stays usable until then). Needs a sign-in of the last 10 minutes and your email typed; then you are pseudonymised everywhere and every session and token ends',
      tags: ['auth'],
      access: { kind: 'session' },
      params: z.strictObject({}),
      body: z.strictObject({ confirm_email: z.string().min(1).max(320) }),
      status: 202,
      response: z.object({ deletion: deletionView, access_export: exportEvidence }),
      errors: [
        'csrf_failed',
        'reauthentication_required',
        'confirmation_mismatch',
        'last_owner',
        'deletion_already_scheduled',
      ],
      handler: async (ctx, { body }) => {
        const session = signedIn(ctx);
        const deletion = await scheduleOwnDeletion(deps, session, body.confirm_email, ctx.origin);
        const access_export = await personExportEvidence(deps.db, deps.exports, session.userId);
        return { deletion, access_export };
      },
    }),
    defineAccountRoute({
      method: 'POST',
      url: '/api/v1/account/deletion/cancel',
      summary: 'Cancel your pending deletion (audited in each of your workspaces, and emailed)',
      tags: ['auth'],
      access: { kind: 'session' },
      params: z.strictObject({}),
      body: z.strictObject({ id: z.uuid() }),
      status: 200,
      response: z.object({ deletion: deletionView }),
      errors: ['csrf_failed', 'deletion_not_pending', 'not_found'],
      handler: async (ctx, { body }) => ({
        deletion: await cancelOwnDeletion(deps, signedIn(ctx), body.id, ctx.origin),
      }),
    }),
  ];
}
