/**
 * HTTP routes of the agents module. Admins create, edit and archive agents
 * and see their system prompts; members and viewers list and read agents
 * without the prompt (the field is absent, and their reads never open it).
 */
import { z } from 'zod';
import { defineRoute, type Member, type WorkspaceRoute } from '../tenancy/index.js';
import type { Keyring } from '../keys/index.js';
import { createAgent, getAgent, listAgents, updateAgent } from './manage.js';
import type { Prices } from './model-check.js';
import { runRoutes } from './run-routes.js';
import { AGENT_PROVIDERS, AGENT_STATUSES } from './store.js';

const ws = z.uuid();
const id = z.uuid();
const base = '/api/v1/workspaces/:ws/agents';
const admin = { kind: 'role', role: 'admin' } as const;
const viewer = { kind: 'role', role: 'viewer' } as const;

/** An agent's name: trimmed, 1 to 200 characters, no control characters. */
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');
/** A model name as providers spell them (and as WARDROOM_LLM_PRICES keys accept them). */
const model = z
  .string()
  .regex(/^[A-Za-z0-9._:/-]{1,200}$/, 'letters, digits and . _ : / - only, at most 200');
/** Up to 50,000 UTF-16 units, so at most 150,000 bytes of UTF-8 sealed. */
const systemPrompt = z
  .string()
  .max(50_000)
  .refine((s) => !s.includes('\0'), 'must not contain NUL');
/** Whether the caller sees system prompts: admins and owners. */
const seesPrompts = (member: Member): boolean => member.role === 'owner' || member.role === 'admin';

const maxOutputTokens = z.number().int().min(1).max(1_000_000);

const agent = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.enum(AGENT_PROVIDERS),
  model: z.string(),
  max_output_tokens: z.number().int(),
  status: z.enum(AGENT_STATUSES),
  system_prompt: z.string().optional().describe('Admins only: absent for members and viewers.'),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  archived_at: z.string().nullable(),
});

const createBody = z.strictObject({
  name,
  provider: z.enum(AGENT_PROVIDERS),
  model,
  system_prompt: systemPrompt.default(''),
  max_output_tokens: maxOutputTokens
    .optional()
    .describe("Default: the smaller of 4096 and the model's output ceiling."),
});

const updateBody = z
  .strictObject({
    name: name.optional(),
    provider: z.enum(AGENT_PROVIDERS).optional(),
    model: model.optional(),
    system_prompt: systemPrompt.optional(),
    max_output_tokens: maxOutputTokens.optional(),
    archived: z.boolean().optional().describe('true archives the agent, false restores it.'),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'nothing to change');

export interface AgentRouteDeps {
  readonly keyring: Keyring;
  /** The gateway's price book: an agent's model must be priced. */
  readonly prices: Prices;
}

export function agentRoutes(deps: AgentRouteDeps): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: base,
      summary: 'Create an agent (its system prompt sealed under the workspace key)',
      tags: ['agents'],
      access: admin,
      params: z.strictObject({ ws }),
      body: createBody,
      status: 201,
      response: agent,
      errors: ['conflict', 'llm_model_unpriced'],
      handler: ({ tx, member }, { body }) =>
        createAgent(tx, deps, {
          name: body.name,
          provider: body.provider,
          model: body.model,
          systemPrompt: body.system_prompt,
          maxOutputTokens: body.max_output_tokens,
          createdBy: member.userId,
        }),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      summary: 'List agents, oldest first (the system prompt for admins only)',
      tags: ['agents'],
      access: viewer,
      params: z.strictObject({ ws }),
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().min(1).max(200).optional(),
        status: z.enum(['active', 'archived', 'all']).default('active'),
      }),
      status: 200,
      response: z.object({ items: z.array(agent), next_cursor: z.string().nullable() }),
      errors: ['invalid_cursor'],
      handler: ({ tx, member }, { query }) =>
        listAgents(tx, deps.keyring, { ...query, withPrompt: seesPrompts(member) }),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      summary: 'Get an agent (the system prompt for admins only)',
      tags: ['agents'],
      access: viewer,
      params: z.strictObject({ ws, id }),
      status: 200,
      response: agent,
      errors: [],
      handler: ({ tx, member }, { params }) =>
        getAgent(tx, deps.keyring, params.id, seesPrompts(member)),
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      summary: 'Edit, archive or restore an agent',
      tags: ['agents'],
      access: admin,
      params: z.strictObject({ ws, id }),
      body: updateBody,
      status: 200,
      response: agent,
      errors: ['conflict', 'llm_model_unpriced'],
      handler: ({ tx }, { params, body }) =>
        updateAgent(tx, deps, params.id, {
          name: body.name,
          provider: body.provider,
          model: body.model,
          systemPrompt: body.system_prompt,
          maxOutputTokens: body.max_output_tokens,
          archived: body.archived,
        }),
    }),
    ...runRoutes(),
  ];
}
