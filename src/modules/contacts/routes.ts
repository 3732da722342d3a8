/**
 * HTTP routes of contacts: members and up read them (personal data, so not
 * viewers), admins and up create, edit and delete them. `GET …/contacts?email=`
 * finds contacts by address through the blind index, never by decrypting.
 */
import { z } from 'zod';
import { AppError } from '../../base/errors.js';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import type { Keyring } from '../keys/index.js';
import type { PrivacyKeys } from './blind-index.js';
import {
  createContact,
  deleteContact,
  getContact,
  listContacts,
  updateContact,
  type ContactDeps,
} from './manage.js';
import { contactEmail } from './email.js';

const ws = z.uuid();
const id = z.uuid();
const base = '/api/v1/workspaces/:ws/contacts';
const admin = { kind: 'role', role: 'admin' } as const;
const member = { kind: 'role', role: 'member' } as const;

const noControl = (s: string): boolean => !/\p{Cc}/u.test(s);
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine(noControl, 'must not contain control characters');
const company = z.string().trim().max(200).refine(noControl, 'must not contain control characters');
const notes = z
  .string()
  .max(20_000)
  .refine((s) => !s.includes('\0'), 'must not contain NUL');

const contact = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  company: z.string().nullable(),
  notes: z.string().nullable(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const createBody = z.strictObject({
  name,
  email: contactEmail,
  company: company.nullable().optional(),
  notes: notes.nullable().optional(),
});

const updateBody = z
  .strictObject({
    name: name.optional(),
    email: contactEmail.optional(),
    company: company.nullable().optional(),
    notes: notes.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to change');

export interface ContactRouteDeps {
  readonly keyring: Keyring;
  /** The privacy index keys; a server built without them answers config_invalid. */
  readonly privacyKeys?: PrivacyKeys | undefined;
}

/** The keys the routes need, or config_invalid on a server built without them. */
function depsOf(deps: ContactRouteDeps): ContactDeps {
  if (deps.privacyKeys === undefined) {
    throw new AppError('config_invalid', 'This server has no privacy index key');
  }
  return { keyring: deps.keyring, keys: deps.privacyKeys };
}

/** An empty company or notes is no company or notes. */
const blankToNull = (v: string | null | undefined): string | null | undefined =>
  v === undefined ? undefined : v === null || v === '' ? null : v;

export function contactRoutes(deps: ContactRouteDeps): WorkspaceRoute[] {
  return [...readRoutes(deps), ...writeRoutes(deps)];
}

function readRoutes(deps: ContactRouteDeps): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: base,
      summary: 'List contacts, oldest first; `email` finds those with that address',
      tags: ['contacts'],
      access: member,
      params: z.strictObject({ ws }),
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().min(1).max(200).optional(),
        email: contactEmail.optional(),
      }),
      status: 200,
      response: z.object({ items: z.array(contact), next_cursor: z.string().nullable() }),
      errors: ['invalid_cursor'],
      handler: ({ tx }, { query }) => listContacts(tx, depsOf(deps), query),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      summary: 'Get a contact',
      tags: ['contacts'],
      access: member,
      params: z.strictObject({ ws, id }),
      status: 200,
      response: contact,
      errors: [],
      handler: ({ tx }, { params }) => getContact(tx, deps.keyring, params.id),
    }),
  ];
}

function writeRoutes(deps: ContactRouteDeps): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: base,
      summary: 'Create a contact (personal fields sealed; refused if the address opted out)',
      tags: ['contacts'],
      access: admin,
      params: z.strictObject({ ws }),
      body: createBody,
      status: 201,
      response: contact,
      errors: ['contact_suppressed'],
      handler: ({ tx, member: caller }, { body }) =>
        createContact(tx, depsOf(deps), {
          name: body.name,
          email: body.email,
          company: blankToNull(body.company) ?? null,
          notes: blankToNull(body.notes) ?? null,
          createdBy: caller.userId,
        }),
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      summary: 'Edit a contact (a new address is checked against the opt-out list)',
      tags: ['contacts'],
      access: admin,
      params: z.strictObject({ ws, id }),
      body: updateBody,
      status: 200,
      response: contact,
      errors: ['contact_suppressed'],
      handler: ({ tx }, { params, body }) =>
        updateContact(tx, depsOf(deps), params.id, {
          name: body.name,
          email: body.email,
          company: blankToNull(body.company),
          notes: blankToNull(body.notes),
        }),
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      summary: 'Delete a contact',
      tags: ['contacts'],
      access: admin,
      params: z.strictObject({ ws, id }),
      status: 204,
      response: z.null(),
      errors: [],
      handler: async ({ tx }, { params }) => {
        await deleteContact(tx, params.id);
        return null;
      },
    }),
  ];
}
