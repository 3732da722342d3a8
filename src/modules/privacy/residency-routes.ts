/** The workspace's data residency: admins read it, owners change the region. */
import { z } from 'zod';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import { changeRegion, getResidency, REGION_CODES } from './region.js';
import { admin, owner, residency, ws } from './schemas.js';

const url = '/api/v1/workspaces/:ws/privacy/residency';

export const residencyRoutes = (): WorkspaceRoute[] => [
  defineRoute({
    method: 'GET',
    url,
    summary: "The workspace's data region and its legal context",
    tags: ['privacy'],
    access: admin,
    params: z.strictObject({ ws }),
    status: 200,
    response: residency,
    errors: [],
    handler: ({ tx }) => getResidency(tx),
  }),
  defineRoute({
    method: 'PUT',
    url,
    summary:
      "Change the workspace's data region (owners): LLM routing and new requests' law follow it",
    tags: ['privacy'],
    access: owner,
    params: z.strictObject({ ws }),
    body: z.strictObject({ region: z.enum(REGION_CODES) }),
    status: 200,
    response: residency,
    errors: [],
    handler: ({ tx }, { body }) => changeRegion(tx, body.region),
  }),
];
