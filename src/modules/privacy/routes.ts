/**
 * HTTP routes of the privacy module: data subject requests (admins and
 * owners log, read and move them) and the workspace's data residency
 * (admins read it; owners change the region).
 */
import { z } from 'zod';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import type { Keyring } from '../keys/index.js';
import { JURISDICTION, REQUEST_TYPES } from './laws.js';
import { extendRequest, transitionRequest } from './moves.js';
import { changeRegion, getResidency, REGION_CODES } from './region.js';
import { getRequest, listRequests, receiveRequest, type PrivacyDeps } from './requests.js';
import { REQUEST_STATES } from './store.js';

const ws = z.uuid();
const id = z.uuid();
const base = '/api/v1/workspaces/:ws/privacy/requests';
const admin = { kind: 'role', role: 'admin' } as const;
const owner = { kind: 'role', role: 'owner' } as const;

/** Plain text with no control characters (a line break allowed where `multiline`). */
const text = (max: number, multiline = false) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(
      (s) => !/\p{Cc}/u.test(multiline ? s.replace(/[\n\r\t]/g, '') : s),
      'must not contain control characters',
    );
/** A reason: says why (complexity, identity not verified), never who. Stored in plain text. */
const reason = text(500).describe(
  'Why, in at most 500 characters. Stored in plain text: write no personal data here.',
);

const date = z.string().describe('A calendar date, YYYY-MM-DD (UTC).');
const law = z.object({ code: z.string(), name: z.string(), statutory: z.boolean() });
const request = z.object({
  id: z.string(),
  type: z.enum(REQUEST_TYPES),
  state: z.enum(REQUEST_STATES),
  subject: z.object({
    user_id: z.string().nullable(),
    email: z.string().nullable(),
    name: z.string().nullable(),
  }),
  details: z.string().nullable(),
  jurisdiction: z.string().nullable(),
  region: z.string().describe("The workspace's region when the request was received."),
  law,
  received_at: z.string(),
  due_on: date,
  extended_due_on: date.nullable(),
  effective_due_on: date.describe('The deadline in force: the extended one when extended.'),
  extension_reason: z.string().nullable(),
  denial_reason: z.string().nullable(),
  identity_verified_at: z.string().nullable(),
  closed_at: z.string().nullable(),
  overdue: z.boolean(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

const createBody = z.strictObject({
  type: z.enum(REQUEST_TYPES),
  jurisdiction: z
    .string()
    .regex(JURISDICTION, 'an ISO 3166 code such as DE, GB, US-CA, BR, BH or JP')
    .optional()
    .describe("The requester's stated jurisdiction: a country code, or country-subdivision."),
  subject: z
    .strictObject({
      user_id: z.uuid().optional().describe('A member of this workspace.'),
      email: z.email().max(320).optional(),
      name: text(200).optional(),
    })
    .refine((s) => s.user_id !== undefined || s.email !== undefined, 'give user_id or email'),
  details: text(10_000, true).optional().describe('What the requester asked, in their words.'),
});

const residency = z.object({
  region: z.enum(REGION_CODES),
  default_law: law,
  regions: z.array(z.object({ code: z.enum(REGION_CODES), law: z.string() })),
  physical_isolation: z.literal(false),
});

export interface PrivacyRouteDeps {
  readonly keyring: Keyring;
  /** Now (default: the system clock); tests move it. */
  readonly clock?: () => Date;
}

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
    defineRoute({
      method: 'GET',
      url: '/api/v1/workspaces/:ws/privacy/residency',
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
      url: '/api/v1/workspaces/:ws/privacy/residency',
      summary:
        "Change the workspace's data region (owners): LLM routing and new requests' law follow",
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
}
