/**
 * HTTP routes for a person's own API tokens in a workspace: list, create
 * (the secret is in the 201 answer only), revoke. Any member, viewers
 * included, manages their own tokens and only theirs; no role sees or
 * revokes another member's (operators use `wardroom token revoke`).
 *
 * Creating a token needs a signed-in browser session: a bearer token that
 * could mint tokens would let one leaked token outlive its own revocation
 * or expiry by minting a successor. Listing and revoking work with either.
 * Creation and revocation are audited by the table's triggers
 * (`api_token.created`, and `api_token.updated` with `revoked_at` changed);
 * events hold column names, never values.
 */
import { z } from 'zod';
import { AppError } from '../../base/errors.js';
import { createApiToken } from './api-tokens.js';
import { assertRoomForToken, listOwnTokens, ownToken, revokeOwnToken } from './own-tokens.js';
import { defineRoute, type WorkspaceRoute } from './workspace-route.js';

/** The longest expiry a token may be given, in days. */
export const MAX_TOKEN_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

const ws = z.uuid();
const tokenView = z.object({
  id: z.uuid(),
  name: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable().describe('null: the token does not expire'),
  revoked_at: z.string().nullable(),
  last_four: z
    .string()
    .nullable()
    .describe("The token's last four characters (null for tokens made before expiry existed)"),
  status: z.enum(['active', 'expired', 'revoked']),
  current: z.boolean().describe('Whether this request was made with this token'),
});

const createBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((s) => !s.includes('\0'), 'must not contain NUL'),
  expires_in_days: z
    .number()
    .int()
    .min(1)
    .max(MAX_TOKEN_DAYS)
    .nullable()
    .optional()
    .describe(`1 to ${MAX_TOKEN_DAYS}; absent or null: the token does not expire`),
});

export const tokenRoutes: WorkspaceRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/workspaces/:ws/tokens',
    summary: 'List my API tokens in the workspace (never their secrets)',
    tags: ['tokens'],
    access: { kind: 'token' },
    params: z.strictObject({ ws }),
    status: 200,
    response: z.object({ items: z.array(tokenView) }),
    errors: [],
    handler: async ({ tx, member, principal }) => ({
      items: await listOwnTokens(
        tx,
        member.userId,
        principal.actorType === 'api_token' ? principal.actorId : undefined,
      ),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/workspaces/:ws/tokens',
    summary: 'Create an API token for myself (the secret is shown once)',
    tags: ['tokens'],
    access: { kind: 'token' },
    params: z.strictObject({ ws }),
    body: createBody,
    status: 201,
    response: tokenView.extend({
      token: z.string().describe('The secret token; shown in this answer only, never again'),
    }),
    errors: ['session_required', 'too_many_tokens'],
    handler: async ({ tx, member, principal }, { body }) => {
      if (principal.actorType !== 'user') {
        throw new AppError('session_required', 'Sign in to create an API token');
      }
      await assertRoomForToken(tx, member.userId);
      const days = body.expires_in_days ?? null;
      const created = await createApiToken(tx, {
        userId: member.userId,
        name: body.name,
        expiresAt: days === null ? null : new Date(Date.now() + days * DAY_MS),
      });
      return { ...(await ownToken(tx, member.userId, created.id)), token: created.token };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/workspaces/:ws/tokens/:tokenId',
    summary: 'Revoke one of my API tokens',
    tags: ['tokens'],
    access: { kind: 'token' },
    params: z.strictObject({ ws, tokenId: z.uuid() }),
    status: 204,
    response: z.null(),
    errors: [],
    handler: async ({ tx, member }, { params }) => {
      await revokeOwnToken(tx, member.userId, params.tokenId.toLowerCase());
      return null;
    },
  }),
];
