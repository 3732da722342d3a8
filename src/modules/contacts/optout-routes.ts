/**
 * The public opt-out routes: no account, no workspace. The server assembly
 * (api/register-optout-routes.ts) limits them per client address and per
 * email address before a handler runs, and answers `no-store`.
 */
import { z } from 'zod';
import { routeDefiner, type RouteDef } from '../../http/route.js';
import { contactEmail } from './email.js';
import { confirmOptOut, startOptOut, type OptOutDeps } from './optout.js';

export type OptOutRoute = RouteDef<Record<string, never>, { readonly kind: 'public' }>;

const defineOptOutRoute = routeDefiner<Record<string, never>, { readonly kind: 'public' }>();

export function optOutRoutes(deps: OptOutDeps): OptOutRoute[] {
  return [
    defineOptOutRoute({
      method: 'POST',
      url: '/api/v1/privacy/optout',
      summary:
        "Ask for an address to be deleted from every workspace's contacts: emails a code (same answer for every address)",
      tags: ['privacy'],
      access: { kind: 'public' },
      params: z.strictObject({}),
      body: z.strictObject({ email: contactEmail }),
      status: 202,
      response: z.object({ status: z.literal('code_sent') }),
      errors: ['rate_limited'],
      handler: async (_ctx, { body }) => {
        await startOptOut(deps, body.email);
        return { status: 'code_sent' as const };
      },
    }),
    defineOptOutRoute({
      method: 'POST',
      url: '/api/v1/privacy/optout/confirm',
      summary:
        'Confirm an opt-out with the emailed code: the address is suppressed at once and its contacts deleted by `delete_by`',
      tags: ['privacy'],
      access: { kind: 'public' },
      params: z.strictObject({}),
      body: z.strictObject({
        email: contactEmail,
        code: z.string().regex(/^[0-9]{6}$/, 'six digits'),
      }),
      status: 200,
      response: z.object({ status: z.literal('opted_out'), delete_by: z.string() }),
      errors: ['code_invalid', 'code_expired', 'code_attempts_exceeded', 'rate_limited'],
      handler: async (_ctx, { body }) => {
        const confirmed = await confirmOptOut(deps, body);
        return { status: 'opted_out' as const, delete_by: confirmed.deleteBy.toISOString() };
      },
    }),
  ];
}
