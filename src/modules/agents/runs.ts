/**
 * An agent run: a member asks an agent in a conversation, and the agent's
 * reply streams back and is stored as a sealed message by the agent.
 *
 * No transaction is held across the upstream call (it can last minutes):
 * 1. prepare, as the member: the agent (active), the question stored as the
 *    member's message, the run row (`queued`), the recent messages as
 *    context and the system prompt, opened for this run only;
 * 2. the run becomes `running` (`started_at`);
 * 3. the gateway call (keys, routing, budget, cache, audit are the
 *    gateway's), its stream read to the end, each piece of text handed to
 *    `onText` as it arrives;
 * 4. as the agent (audit actor `agent`, correlation id the call id): the
 *    reply stored as a message with author_type 'agent' and author_id the
 *    agent's id, and the run `succeeded` with its usage and cost.
 * A failure leaves the run `failed` with its stable error code, a caller's
 * abort `cancelled` (the gateway closes the upstream connection on the
 * same signal); either keeps what usage was consumed, and stores no reply.
 *
 * The runs route (api/register-run-routes.ts) calls it with the server's
 * gateway and streams the reply to the member as server-sent events.
 */
import { v7 as uuidv7 } from 'uuid';
import { AppError, isAppError } from '../../base/errors.js';
import type { Database } from '../../db/database.js';
import { agentPrincipal, type Principal } from '../../db/principal.js';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import {
  actualCost,
  type Gateway,
  type Operation,
  type PriceBook,
  type ProviderResult,
  type Usage,
} from '../gateway/index.js';
import type { Keyring } from '../keys/index.js';
import { listMessages, postAuthoredMessage } from '../workrooms/index.js';
import { buildRunRequest, type RunAgent, type RunRequest } from './run-request.js';
import { textOf, textOfJson } from './run-stream.js';
import { AGENT_COLUMNS, agentNotFound, promptRef } from './store.js';

/** How many of the conversation's latest messages (the question included) go as context. */
export const DEFAULT_CONTEXT_MESSAGES = 20;

export interface RunDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly keyring: Pick<Keyring, 'seal' | 'openMany'>;
  readonly gateway: Gateway;
  readonly prices: PriceBook;
}

export interface StartRunInput {
  /** The member's request principal (the question is theirs). */
  readonly principal: Principal;
  readonly member: { readonly userId: string; readonly tokenId: string | null };
  readonly conversationId: string;
  readonly agentId: string;
  /** The member's question, stored as their message before the call. */
  readonly content: string;
  /** The caller's cancellation (client gone): stops the upstream call; the run ends `cancelled`. */
  readonly signal?: AbortSignal;
  /** Each piece of the reply, as it streams. */
  readonly onText?: (text: string) => void;
  /**
   * Once the gateway has accepted the call (keys, routing, budget passed)
   * and before the first piece of text: a caller that streams starts its
   * answer here, so a refusal before it can still be a plain error.
   */
  readonly onStart?: (started: RunStarted) => void;
  readonly contextMessages?: number;
}

export type RunStatus = 'succeeded' | 'failed' | 'cancelled';

export interface RunStarted {
  readonly runId: string;
  readonly questionMessageId: string;
  readonly callId: string;
}

export interface RunOutcome {
  readonly runId: string;
  readonly questionMessageId: string;
  readonly status: RunStatus;
  readonly replyMessageId: string | null;
  readonly reply: string;
  readonly usage: Usage;
  readonly costMicros: number | null;
  readonly errorCode: string | null;
  /** Why the run failed (the stable code's error, with its message), else null. */
  readonly error: AppError | null;
  readonly callId: string | null;
}

interface Prepared {
  readonly runId: string;
  readonly questionMessageId: string;
  readonly agent: RunAgent & { readonly name: string };
  readonly request: RunRequest;
}

async function prepare(tx: TenantTx, deps: RunDeps, input: StartRunInput): Promise<Prepared> {
  const row = await tx
    .selectFrom('agents')
    .select(AGENT_COLUMNS)
    .where('id', '=', input.agentId)
    .executeTakeFirst();
  if (row === undefined) throw agentNotFound();
  // An archived agent answers no more questions: not found, like an unknown one.
  if (row.status !== 'active') throw new AppError('not_found', 'This agent is archived');
  const question = await postAuthoredMessage(tx, deps.keyring, {
    conversationId: input.conversationId,
    author: { author_type: 'user', author_id: input.member.userId },
    content: input.content,
  });
  const runId = uuidv7();
  await tx
    .insertInto('agent_runs')
    .values({
      tenant_id: principalOf(tx).tenantId,
      id: runId,
      conversation_id: input.conversationId,
      agent_id: row.id,
      requested_by: input.member.userId,
    })
    .execute();
  const recent = await listMessages(tx, deps.keyring, {
    conversationId: input.conversationId,
    limit: input.contextMessages ?? DEFAULT_CONTEXT_MESSAGES,
    order: 'newest_first',
  });
  const [prompt] = await deps.keyring.openMany(tx, [
    { ref: promptRef(row.id, row.prompt_version), envelope: row.system_prompt },
  ]);
  const agent = {
    id: row.id,
    name: row.name,
    provider: row.provider,
    model: row.model,
    systemPrompt: (prompt ?? Buffer.alloc(0)).toString('utf8'),
    maxOutputTokens: row.max_output_tokens,
  };
  const request = buildRunRequest(agent, [...recent.items].reverse());
  return { runId, questionMessageId: question.id, agent, request };
}

/** Reads the result to its end, handing each piece of text on; the reply and its usage. */
async function consume(
  operation: Operation,
  result: ProviderResult,
  onText: ((text: string) => void) | undefined,
  seen: { usage: () => Usage },
): Promise<{ reply: string; usage: Usage }> {
  if (result.kind === 'json') {
    const reply = textOfJson(operation, result.body);
    if (reply !== '') onText?.(reply);
    return { reply, usage: result.usage };
  }
  seen.usage = () => result.usage();
  let reply = '';
  for await (const event of result.events) {
    const text = textOf(operation, event);
    if (text === '') continue;
    reply += text;
    onText?.(text);
  }
  return { reply, usage: result.usage() };
}

function costOf(deps: RunDeps, prepared: Prepared, usage: Usage): number | null {
  try {
    return actualCost(deps.prices, prepared.request.operation, prepared.agent.model, usage);
  } catch {
    return null;
  }
}

async function succeed(
  deps: RunDeps,
  input: StartRunInput,
  prepared: Prepared,
  done: { callId: string; reply: string; usage: Usage },
): Promise<RunOutcome> {
  const { usage, reply, callId } = done;
  const costMicros = costOf(deps, prepared, usage);
  const asAgent = agentPrincipal(input.principal.tenantId, prepared.agent, {
    correlationId: callId,
  });
  const replyMessageId = await deps.db.withTenant(asAgent, async (tx) => {
    const message = await postAuthoredMessage(tx, deps.keyring, {
      conversationId: input.conversationId,
      author: { author_type: 'agent', author_id: prepared.agent.id },
      content: reply,
    });
    await tx
      .updateTable('agent_runs')
      .set({
        status: 'succeeded',
        reply_message_id: message.id,
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        cost_micros: costMicros === null ? null : String(costMicros),
        call_id: callId,
        finished_at: new Date(),
      })
      .where('id', '=', prepared.runId)
      .execute();
    return message.id;
  });
  return {
    runId: prepared.runId,
    questionMessageId: prepared.questionMessageId,
    status: 'succeeded',
    replyMessageId,
    reply,
    usage,
    costMicros,
    errorCode: null,
    error: null,
    callId,
  };
}

async function fail(
  deps: RunDeps,
  input: StartRunInput,
  prepared: Prepared,
  failure: { error: unknown; callId: string | null; usage: Usage },
): Promise<RunOutcome> {
  const { error, callId, usage } = failure;
  const status: RunStatus = input.signal?.aborted === true ? 'cancelled' : 'failed';
  const appError = isAppError(error) ? error : null;
  const errorCode = status === 'cancelled' ? 'cancelled' : (appError?.code ?? 'internal');
  const costMicros = costOf(deps, prepared, usage);
  await deps.db.withTenant(input.principal, (tx) =>
    tx
      .updateTable('agent_runs')
      .set({
        status,
        error_code: errorCode,
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        cost_micros: costMicros === null ? null : String(costMicros),
        call_id: callId,
        finished_at: new Date(),
      })
      .where('id', '=', prepared.runId)
      .execute(),
  );
  return {
    runId: prepared.runId,
    questionMessageId: prepared.questionMessageId,
    status,
    replyMessageId: null,
    reply: '',
    usage,
    costMicros,
    errorCode,
    error: appError,
    callId,
  };
}

/**
 * Creates and runs an agent run. Errors before the run exists (no such or an
 * archived agent, no such conversation) are thrown; after, the outcome says.
 */
export async function startRun(deps: RunDeps, input: StartRunInput): Promise<RunOutcome> {
  const prepared = await deps.db.withTenant(input.principal, (tx) => prepare(tx, deps, input));
  await deps.db.withTenant(input.principal, (tx) =>
    tx
      .updateTable('agent_runs')
      .set({ status: 'running', started_at: new Date() })
      .where('id', '=', prepared.runId)
      .execute(),
  );
  let callId: string | null = null;
  const seen = { usage: (): Usage => ({ inputTokens: 0, outputTokens: 0 }) };
  try {
    const call = await deps.gateway.call({
      scope: {
        workspaceId: input.principal.tenantId,
        userId: input.member.userId,
        tokenId: input.member.tokenId,
      },
      operation: prepared.request.operation,
      body: prepared.request.body,
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
    callId = call.callId;
    input.onStart?.({
      runId: prepared.runId,
      questionMessageId: prepared.questionMessageId,
      callId: call.callId,
    });
    const operation = prepared.request.operation;
    const { reply, usage } = await consume(operation, call.result, input.onText, seen);
    if (input.signal?.aborted === true) throw new AppError('bad_request', 'The run was cancelled');
    return await succeed(deps, input, prepared, { callId: call.callId, reply, usage });
  } catch (error) {
    return fail(deps, input, prepared, { error, callId, usage: seen.usage() });
  }
}
