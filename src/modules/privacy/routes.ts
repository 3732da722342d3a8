/**
 * HTTP routes of the privacy module: data subject requests (admins and
 * owners log, read and move them) and the workspace's data residency
 * (admins read it; owners change the region).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import type { Keyring } from '../keys/index.js';
import { exportRoutes, type ExportRouteDeps } from './export/routes.js';
import { moveRoutes } from './move-routes.js';
import { getRequest, listRequests, receiveRequest, type PrivacyDeps } from './requests.js';
import { residencyRoutes } from './residency-routes.js';
import { admin, base, createBody, id, request, ws } from './schemas.js';
import { REQUEST_STATES } from './store.js';
import { auditExportLookup } from './deletion/export-guard.js';
import { requestDeletionRoutes } from './deletion/request-routes.js';
import type { DeletionSettings } from './deletion/settings.js';
import { DEFAULT_COOLING_OFF_DAYS } from './deletion/delete-account.js';

export interface PrivacyRouteDeps extends Omit<ExportRouteDeps, 'keyring'> {
  readonly keyring: Keyring;
  /** Now (default: the system clock); tests move it. */
  readonly clock?: () => Date;
  /**
   * The cooling-off and receipt key of deletion requests (default: 7 days and
   * a random key, so a receipt opens only in this process: servers pass it).
   */
  readonly deletion?: DeletionSettings | undefined;
}

const unconfiguredDeletion = (): DeletionSettings => ({
  coolingOffDays: DEFAULT_COOLING_OFF_DAYS,
  receiptKey: randomBytes(32),
});

export function privacyRoutes(routeDeps: PrivacyRouteDeps): WorkspaceRoute[] {
  const deps: PrivacyDeps = {
    keyring: routeDeps.keyring,
    clock: routeDeps.clock ?? (() => new Date()),
  };
  return [
    defineRoute({
      method: 'POST',
      url: base,
      summary: 'Log a privacy (data subject) request; its law and deadline are set now',
      tags: ['privacy'],
      access: admin,
      params: z.strictObject({ ws }),
      body: createBody,
      status: 201,
      response: request,
      errors: [],
      handler: ({ tx, member }, { body }) =>
        receiveRequest(tx, deps, {
          type: body.type,
          jurisdiction: body.jurisdiction,
          subject: {
            userId: body.subject.user_id,
            email: body.subject.email,
            name: body.subject.name,
          },
          details: body.details,
          createdBy: member.userId,
        }),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      summary: 'List privacy requests, oldest first',
      tags: ['privacy'],
      access: admin,
      params: z.strictObject({ ws }),
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().min(1).max(200).optional(),
        state: z.enum(['open', 'all', ...REQUEST_STATES]).default('all'),
      }),
      status: 200,
      response: z.object({ items: z.array(request), next_cursor: z.string().nullable() }),
      errors: ['invalid_cursor'],
      handler: ({ tx }, { query }) => listRequests(tx, deps, query),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      summary: 'Get a privacy request',
      tags: ['privacy'],
      access: admin,
      params: z.strictObject({ ws, id }),
      status: 200,
      response: request,
      errors: [],
      handler: ({ tx }, { params }) => getRequest(tx, deps, params.id),
    }),
    ...moveRoutes(deps),
    ...residencyRoutes(),
    ...exportRoutes({ ...routeDeps, clock: deps.clock }),
    ...requestDeletionRoutes({
      ...deps,
      keyring: routeDeps.keyring,
      ...(routeDeps.deletion ?? unconfiguredDeletion()),
      exports: auditExportLookup,
    }),
  ];
}
