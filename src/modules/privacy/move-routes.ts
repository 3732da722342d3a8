/** The routes that move a privacy request: a transition, and the one extension. */
import { z } from 'zod';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import { extendRequest, transitionRequest } from './moves.js';
import type { PrivacyDeps } from './requests.js';
import { admin, base, id, reason, request, ws } from './schemas.js';
import { REQUEST_STATES } from './store.js';

export const moveRoutes = (deps: PrivacyDeps): WorkspaceRoute[] => [
  defineRoute({
    method: 'POST',
    url: `${base}/:id/transitions`,
    summary: 'Move a privacy request to its next state (a denial needs a reason)',
    tags: ['privacy'],
    access: admin,
    params: z.strictObject({ ws, id }),
    body: z
      .strictObject({ to: z.enum(REQUEST_STATES), reason: reason.optional() })
      .refine((b) => b.reason === undefined || b.to === 'denied', 'a reason is for a denial'),
    status: 200,
    response: request,
    errors: ['privacy_transition_invalid'],
    handler: ({ tx }, { params, body }) => transitionRequest(tx, deps, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: `${base}/:id/extension`,
    summary: "Extend a request's deadline as far as its law allows, once, with a reason",
    tags: ['privacy'],
    access: admin,
    params: z.strictObject({ ws, id }),
    body: z.strictObject({ reason }),
    status: 200,
    response: request,
    errors: ['privacy_extension_not_allowed'],
    handler: ({ tx }, { params, body }) => extendRequest(tx, deps, params.id, body.reason),
  }),
];
