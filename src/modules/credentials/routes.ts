/**
 * HTTP routes of the credentials module. Admins manage credentials; a secret
 * goes in on create and replace and never comes out: every response is the
 * metadata view (fingerprint and last4 identify the secret).
 */
import { z } from 'zod';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import type { Keyring } from '../keys/index.js';
import { createCredential } from './create.js';
import { CREDENTIAL_KINDS, createCredentialBody, replaceCredentialBody } from './kinds.js';
import { getCredential, listCredentials } from './queries.js';
import { replaceCredential } from './replace.js';
import { revokeCredential } from './revoke.js';

const ws = z.uuid();
const id = z.uuid();
const base = '/api/v1/workspaces/:ws/credentials';
const admin = { kind: 'role', role: 'admin' } as const;

const credential = z.object({
  id: z.string(),
  kind: z.enum(CREDENTIAL_KINDS),
  provider: z.string(),
  label: z.string(),
  fingerprint: z.string(),
  last4: z.string().nullable(),
  status: z.enum(['active', 'revoked']),
  created_by: z.string().nullable(),
  created_at: z.string(),
  replaced_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export function credentialRoutes(deps: { readonly keyring: Keyring }): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: base,
      summary: 'Store an integration credential (sealed under the workspace key)',
      tags: ['credentials'],
      access: admin,
      params: z.strictObject({ ws }),
      body: createCredentialBody,
      status: 201,
      response: credential,
      errors: ['conflict'],
      handler: ({ tx, member }, { body }) =>
        createCredential(tx, deps.keyring, { ...body, createdBy: member.userId }),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      summary: 'List integration credentials (metadata only), oldest first',
      tags: ['credentials'],
      access: admin,
      params: z.strictObject({ ws }),
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().min(1).max(200).optional(),
        kind: z.enum(CREDENTIAL_KINDS).optional(),
        status: z.enum(['active', 'revoked']).optional(),
      }),
      status: 200,
      response: z.object({ items: z.array(credential), next_cursor: z.string().nullable() }),
      errors: ['invalid_cursor'],
      handler: ({ tx }, { query }) => listCredentials(tx, query),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      summary: 'Get an integration credential (metadata only)',
      tags: ['credentials'],
      access: admin,
      params: z.strictObject({ ws, id }),
      status: 200,
      response: credential,
      errors: [],
      handler: ({ tx }, { params }) => getCredential(tx, params.id),
    }),
    defineRoute({
      method: 'PUT',
      url: `${base}/:id`,
      summary: "Replace a credential's secret (same id, new fingerprint and last4)",
      tags: ['credentials'],
      access: admin,
      params: z.strictObject({ ws, id }),
      body: replaceCredentialBody,
      status: 200,
      response: credential,
      errors: ['conflict'],
      handler: ({ tx }, { params, body }) =>
        replaceCredential(tx, deps.keyring, params.id, body.secret),
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      summary: 'Revoke a credential (its sealed secret is wiped)',
      tags: ['credentials'],
      access: admin,
      params: z.strictObject({ ws, id }),
      status: 204,
      response: z.null(),
      errors: [],
      handler: async ({ tx }, { params }) => {
        await revokeCredential(tx, params.id);
        return null;
      },
    }),
  ];
}
