/**
 * The privacy routes' schemas: what a request looks like over HTTP, and the
 * checks on what callers send (plain text without control characters,
 * bounded; jurisdictions as ISO 3166 codes).
 */
import { z } from 'zod';
import { JURISDICTION, REQUEST_TYPES } from './laws.js';
import { REGION_CODES } from './region.js';
import { REQUEST_STATES } from './store.js';

export const ws = z.uuid();
export const id = z.uuid();
export const base = '/api/v1/workspaces/:ws/privacy/requests';
export const admin = { kind: 'role', role: 'admin' } as const;
export const owner = { kind: 'role', role: 'owner' } as const;

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
export const reason = text(500).describe(
  'Why, in at most 500 characters. Stored in plain text: write no personal data here.',
);

const date = z.string().describe('A calendar date, YYYY-MM-DD (UTC).');
const law = z.object({ code: z.string(), name: z.string(), statutory: z.boolean() });
export const request = z.object({
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

export const createBody = z.strictObject({
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

export const residency = z.object({
  region: z.enum(REGION_CODES),
  default_law: law,
  regions: z.array(z.object({ code: z.enum(REGION_CODES), law: z.string() })),
  physical_isolation: z.literal(false),
});
