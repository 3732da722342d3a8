/**
 * The admin routes of SSO: a workspace's connections and its policy.
 * Admins and owners only. A client secret goes in and never comes out.
 */
import { z } from 'zod';
import type { Keyring } from '../keys/index.js';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
} from './connections.js';
import { requiresSso, setRequireSso } from './policy.js';
import {
  connectionView,
  createConnectionBody,
  policyView,
  updateConnectionBody,
} from './schemas.js';

const ws = z.uuid();
const id = z.uuid();
const base = '/api/v1/workspaces/:ws/sso/connections';
const admin = { kind: 'role', role: 'admin' } as const;
const tags = ['sso'];

export function ssoAdminRoutes(deps: { readonly keyring: Keyring }): WorkspaceRoute[] {
  return [...connectionRoutes(deps), ...policyRoutes];
}

function connectionRoutes(deps: { readonly keyring: Keyring }): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: base,
      summary: 'Add an SSO connection (OIDC or SAML); the OIDC client secret is sealed',
      tags,
      access: admin,
      params: z.strictObject({ ws }),
      body: createConnectionBody,
      status: 201,
      response: connectionView,
      errors: [],
      handler: ({ tx }, { body }) => createConnection(tx, deps.keyring, body),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      summary: "The workspace's SSO connections (never a secret), oldest first",
      tags,
      access: admin,
      params: z.strictObject({ ws }),
      status: 200,
      response: z.object({ items: z.array(connectionView) }),
      errors: [],
      handler: async ({ tx }) => ({ items: await listConnections(tx) }),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      summary: 'One SSO connection (never its secret)',
      tags,
      access: admin,
      params: z.strictObject({ ws, id }),
      status: 200,
      response: connectionView,
      errors: [],
      handler: ({ tx }, { params }) => getConnection(tx, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      summary: 'Change an SSO connection (only the fields sent)',
      tags,
      access: admin,
      params: z.strictObject({ ws, id }),
      body: updateConnectionBody,
      status: 200,
      response: connectionView,
      errors: [],
      handler: ({ tx }, { params, body }) => updateConnection(tx, deps.keyring, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      summary: 'Remove an SSO connection (its pending sign-ins end with it)',
      tags,
      access: admin,
      params: z.strictObject({ ws, id }),
      status: 204,
      response: z.null(),
      errors: [],
      handler: async ({ tx }, { params }) => {
        await deleteConnection(tx, params.id);
        return null;
      },
    }),
  ];
}

const policyRoutes: WorkspaceRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/workspaces/:ws/sso/policy',
    summary: 'Whether the workspace requires SSO',
    tags,
    access: admin,
    params: z.strictObject({ ws }),
    status: 200,
    response: policyView,
    errors: [],
    handler: async ({ tx }) => ({ require_sso: await requiresSso(tx) }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/workspaces/:ws/sso/policy',
    summary: 'Require SSO (email-code sessions then reach the workspace only for owners)',
    tags,
    access: admin,
    params: z.strictObject({ ws }),
    body: z.strictObject({ require_sso: z.boolean() }),
    status: 200,
    response: policyView,
    errors: ['sso_not_configured'],
    handler: ({ tx }, { body }) => setRequireSso(tx, body.require_sso),
  }),
];
