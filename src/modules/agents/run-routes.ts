/**
 * Reading an agent run: its status, usage and cost, for members and up.
 * Starting one streams (api/register-run-routes.ts); this is how a client
 * that lost the stream learns how the run ended.
 */
import { z } from 'zod';
import { AppError } from '../../base/errors.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';

const member = { kind: 'role', role: 'member' } as const;

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

/** A run as the API shows it (also the `run` of the stream's `done` event). */
export const runView = z.object({
  id: z.string(),
  conversation_id: z.string(),
  agent_id: z.string(),
  requested_by: z.string(),
  status: z.enum(RUN_STATUSES),
  reply_message_id: z.string().nullable(),
  input_tokens: z.number().int().nullable(),
  output_tokens: z.number().int().nullable(),
  cost_micros: z.number().int().nullable().describe('Actual cost in micro-dollars, when priced'),
  error_code: z.string().nullable(),
  call_id: z
    .string()
    .nullable()
    .describe("The gateway call's id: its audit events' correlation id"),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});
export type RunView = z.infer<typeof runView>;

export async function getRun(
  tx: TenantTx,
  conversationId: string,
  runId: string,
): Promise<RunView> {
  const r = await tx
    .selectFrom('agent_runs')
    .selectAll()
    .where('id', '=', runId)
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  if (r === undefined) throw new AppError('not_found', 'Run not found');
  return {
    id: r.id,
    conversation_id: r.conversation_id,
    agent_id: r.agent_id,
    requested_by: r.requested_by,
    status: r.status,
    reply_message_id: r.reply_message_id,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    cost_micros: r.cost_micros === null ? null : Number(r.cost_micros),
    error_code: r.error_code,
    call_id: r.call_id,
    created_at: r.created_at.toISOString(),
    started_at: r.started_at?.toISOString() ?? null,
    finished_at: r.finished_at?.toISOString() ?? null,
  };
}

export function runRoutes(): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/workspaces/:ws/conversations/:id/runs/:run',
      summary: "Get an agent run: its status, usage and cost (a reply's text is the message's)",
      tags: ['agents'],
      access: member,
      params: z.strictObject({ ws: z.uuid(), id: z.uuid(), run: z.uuid() }),
      status: 200,
      response: runView,
      errors: [],
      handler: ({ tx }, { params }) => getRun(tx, params.id, params.run),
    }),
  ];
}
