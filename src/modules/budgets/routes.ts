/**
 * HTTP routes of the budgets module: admins manage budgets and rate limits
 * and read the workspace's usage; owners resume a suspended key; every
 * member reads their own usage. Money is integer micro-dollars
 * (1 USD = 1,000,000).
 */
import { z } from 'zod';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import { createBudget, deleteBudget, getBudget, listBudgets, updateBudget } from './budgets.js';
import { getLimits, putLimits } from './limits.js';
import { MAX_MICROS } from './micros.js';
import { listSuspensions, resumeSuspension } from './suspensions.js';
import { usageSummary } from './usage.js';

const ws = z.uuid();
const id = z.uuid();
const base = '/api/v1/workspaces/:ws/llm';
const admin = { kind: 'role', role: 'admin' } as const;
const owner = { kind: 'role', role: 'owner' } as const;
const anyMember = { kind: 'role', role: 'viewer' } as const;
const micros = z.number().int().min(0).max(MAX_MICROS);

const budget = z.object({
  id: z.string(),
  scope: z.enum(['workspace', 'member', 'token']),
  user_id: z.string().nullable(),
  token_id: z.string().nullable(),
  period: z.enum(['day', 'month']),
  hard_limit_micros: z.number(),
  soft_limit_micros: z.number().nullable(),
  window_start: z.string(),
  settled_micros: z.number(),
  spent_micros: z.number(),
});

const limits = z.strictObject({
  requests_per_minute: z.number().int().min(1).max(1_000_000).nullable(),
  tokens_per_minute: z.number().int().min(1).max(1_000_000_000).nullable(),
});

const keyUsage = z.object({
  key: z.string(),
  key_source: z.enum(['byok', 'platform', 'offline']),
  credential_id: z.string().nullable(),
  provider: z.string(),
  calls: z.number(),
  cost_micros: z.number(),
  reserved_micros: z.number(),
  tokens_in: z.number(),
  tokens_out: z.number(),
  cache_hits: z.number(),
});
const usage = z.object({
  month_start: z.string(),
  byok_cost_micros: z.number(),
  platform_cost_micros: z.number(),
  keys: z.array(keyUsage),
});

const suspension = z.object({
  id: z.string(),
  key: z.string(),
  key_source: z.enum(['byok', 'platform', 'offline']),
  credential_id: z.string().nullable(),
  provider: z.string().nullable(),
  window_micros: z.number(),
  threshold_micros: z.number(),
  suspended_at: z.string(),
  resumed_at: z.string().nullable(),
  resumed_by: z.string().nullable(),
});

export function budgetRoutes(): WorkspaceRoute[] {
  return [...budgetCrudRoutes(), ...limitRoutes(), ...usageRoutes()];
}

function budgetCrudRoutes(): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: `${base}/budgets`,
      summary: 'Create an LLM budget (workspace, member or API token; per UTC day or month)',
      tags: ['budgets'],
      access: admin,
      params: z.strictObject({ ws }),
      body: z.strictObject({
        scope: z.enum(['workspace', 'member', 'token']),
        user_id: z.uuid().optional(),
        token_id: z.uuid().optional(),
        period: z.enum(['day', 'month']),
        hard_limit_micros: micros,
        soft_limit_micros: micros.nullable().optional(),
      }),
      status: 201,
      response: budget,
      errors: ['conflict'],
      handler: ({ tx }, { body }) => createBudget(tx, body),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/budgets`,
      summary: "List the workspace's LLM budgets with their current window's spend",
      tags: ['budgets'],
      access: admin,
      params: z.strictObject({ ws }),
      status: 200,
      response: z.object({ items: z.array(budget) }),
      errors: [],
      handler: ({ tx }) => listBudgets(tx),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/budgets/:id`,
      summary: "Get an LLM budget with its current window's spend",
      tags: ['budgets'],
      access: admin,
      params: z.strictObject({ ws, id }),
      status: 200,
      response: budget,
      errors: [],
      handler: ({ tx }, { params }) => getBudget(tx, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/budgets/:id`,
      summary: "Change an LLM budget's hard or soft limit",
      tags: ['budgets'],
      access: admin,
      params: z.strictObject({ ws, id }),
      body: z.strictObject({
        hard_limit_micros: micros.optional(),
        soft_limit_micros: micros.nullable().optional(),
      }),
      status: 200,
      response: budget,
      errors: [],
      handler: ({ tx }, { params, body }) => updateBudget(tx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/budgets/:id`,
      summary: 'Delete an LLM budget',
      tags: ['budgets'],
      access: admin,
      params: z.strictObject({ ws, id }),
      status: 204,
      response: z.null(),
      errors: [],
      handler: async ({ tx }, { params }) => {
        await deleteBudget(tx, params.id);
        return null;
      },
    }),
  ];
}

function limitRoutes(): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: `${base}/limits`,
      summary: "The workspace's LLM rate limits (null: none)",
      tags: ['budgets'],
      access: admin,
      params: z.strictObject({ ws }),
      status: 200,
      response: limits,
      errors: [],
      handler: ({ tx }) => getLimits(tx),
    }),
    defineRoute({
      method: 'PUT',
      url: `${base}/limits`,
      summary: "Set the workspace's LLM requests and tokens per minute (null: no limit)",
      tags: ['budgets'],
      access: admin,
      params: z.strictObject({ ws }),
      body: limits,
      status: 200,
      response: limits,
      errors: [],
      handler: ({ tx }, { body }) => putLimits(tx, body),
    }),
  ];
}

function usageRoutes(): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: `${base}/usage`,
      summary: "This UTC month's LLM usage by key (BYOK and platform apart)",
      tags: ['budgets'],
      access: admin,
      params: z.strictObject({ ws }),
      status: 200,
      response: usage,
      errors: [],
      handler: ({ tx }) => usageSummary(tx),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/usage/mine`,
      summary: "The caller's own LLM usage this UTC month, by key",
      tags: ['budgets'],
      access: anyMember,
      params: z.strictObject({ ws }),
      status: 200,
      response: usage,
      errors: [],
      handler: ({ tx, member }) => usageSummary(tx, member.userId),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/suspensions`,
      summary: 'LLM keys suspended by the velocity tripwire (live, or all)',
      tags: ['budgets'],
      access: admin,
      params: z.strictObject({ ws }),
      query: z.strictObject({ status: z.enum(['live', 'all']).default('live') }),
      status: 200,
      response: z.object({ items: z.array(suspension) }),
      errors: [],
      handler: ({ tx }, { query }) => listSuspensions(tx, query.status),
    }),
    defineRoute({
      method: 'POST',
      url: `${base}/suspensions/:id/resume`,
      summary: 'Resume a suspended LLM key (owners)',
      tags: ['budgets'],
      access: owner,
      params: z.strictObject({ ws, id }),
      status: 200,
      response: suspension,
      errors: [],
      handler: ({ tx, member }, { params }) => resumeSuspension(tx, params.id, member.userId),
    }),
  ];
}
