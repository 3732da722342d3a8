/**
 * Creating, reading, editing and archiving agents. Tenant filtering is RLS's
 * job: these queries only set tenant_id on insert. Every insert and update is
 * recorded by the table's audit trigger as `agent.created` or
 * `agent.updated`, naming the changed columns and never their values, so no
 * event holds prompt text. Agents are archived, never deleted: runs and
 * messages keep naming them.
 */
import { v7 as uuidv7 } from 'uuid';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { decodeCursor, toPage } from '../../db/cursor.js';
import type { Keyring } from '../keys/index.js';
import { checkModel, type Prices } from './model-check.js';
import {
  AGENT_COLUMNS,
  agentNotFound,
  nameConflict,
  promptRef,
  publicView,
  toView,
  toViews,
  type AgentProvider,
  type AgentRow,
  type AgentView,
} from './store.js';

export interface CreateAgentInput {
  readonly name: string;
  readonly provider: AgentProvider;
  readonly model: string;
  readonly systemPrompt: string;
  readonly maxOutputTokens: number | undefined;
  readonly createdBy: string;
}

export interface AgentDeps {
  readonly keyring: Pick<Keyring, 'seal' | 'openMany'>;
  readonly prices: Prices;
}

export async function createAgent(
  tx: TenantTx,
  deps: AgentDeps,
  input: CreateAgentInput,
): Promise<AgentView> {
  const maxOutputTokens = checkModel(deps.prices, input);
  const id = uuidv7();
  const sealed = await deps.keyring.seal(
    tx,
    promptRef(id, 1),
    Buffer.from(input.systemPrompt, 'utf8'),
  );
  try {
    const row = await tx
      .insertInto('agents')
      .values({
        tenant_id: principalOf(tx).tenantId,
        id,
        name: input.name,
        provider: input.provider,
        model: input.model,
        system_prompt: sealed,
        prompt_version: 1,
        max_output_tokens: maxOutputTokens,
        created_by: input.createdBy,
      })
      .returning(AGENT_COLUMNS)
      .executeTakeFirstOrThrow();
    return { ...publicView(row), system_prompt: input.systemPrompt };
  } catch (error) {
    throw nameConflict(error, input.name) ?? error;
  }
}

export interface UpdateAgentInput {
  readonly name?: string | undefined;
  readonly provider?: AgentProvider | undefined;
  readonly model?: string | undefined;
  readonly systemPrompt?: string | undefined;
  readonly maxOutputTokens?: number | undefined;
  readonly archived?: boolean | undefined;
}

/**
 * Applies an edit. Provider, model and output limit are checked together,
 * with the stored values standing in for those not given; a new prompt is
 * sealed under the next prompt_version. Archiving and restoring are edits
 * too (`archived`); a restored agent whose name an active one took is a
 * conflict.
 */
export async function updateAgent(
  tx: TenantTx,
  deps: AgentDeps,
  id: string,
  input: UpdateAgentInput,
): Promise<AgentView> {
  const current = await tx
    .selectFrom('agents')
    .select(AGENT_COLUMNS)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (current === undefined) throw agentNotFound();
  const provider = input.provider ?? current.provider;
  const model = input.model ?? current.model;
  const modelChanged = provider !== current.provider || model !== current.model;
  const maxOutputTokens =
    modelChanged || input.maxOutputTokens !== undefined
      ? checkModel(deps.prices, {
          provider,
          model,
          maxOutputTokens: input.maxOutputTokens,
          keep: current.max_output_tokens,
        })
      : current.max_output_tokens;
  const promptVersion =
    input.systemPrompt === undefined ? current.prompt_version : current.prompt_version + 1;
  const sealed =
    input.systemPrompt === undefined
      ? undefined
      : await deps.keyring.seal(
          tx,
          promptRef(id, promptVersion),
          Buffer.from(input.systemPrompt, 'utf8'),
        );
  const now = new Date();
  const archive =
    input.archived === undefined
      ? {}
      : input.archived
        ? current.status === 'archived'
          ? {}
          : { status: 'archived' as const, archived_at: now }
        : { status: 'active' as const, archived_at: null };
  const name = input.name ?? current.name;
  try {
    const row = await tx
      .updateTable('agents')
      .set({
        name,
        provider,
        model,
        max_output_tokens: maxOutputTokens,
        ...(sealed === undefined ? {} : { system_prompt: sealed, prompt_version: promptVersion }),
        ...archive,
        updated_at: now,
      })
      .where('id', '=', id)
      .returning(AGENT_COLUMNS)
      .executeTakeFirstOrThrow();
    return await toView(tx, deps.keyring, row, true);
  } catch (error) {
    throw nameConflict(error, name) ?? error;
  }
}

export async function getAgent(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  id: string,
  withPrompt: boolean,
): Promise<AgentView> {
  const row = await tx
    .selectFrom('agents')
    .select(AGENT_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw agentNotFound();
  return toView(tx, keyring, row, withPrompt);
}

export type AgentListStatus = 'active' | 'archived' | 'all';

/** Agents oldest first, active ones by default; prompts opened only `withPrompt`. */
export async function listAgents(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  input: {
    limit: number;
    cursor?: string | undefined;
    status: AgentListStatus;
    withPrompt: boolean;
  },
): Promise<{ items: AgentView[]; next_cursor: string | null }> {
  const after = decodeCursor(input.cursor);
  let query = tx.selectFrom('agents').select(AGENT_COLUMNS);
  if (input.status !== 'all') query = query.where('status', '=', input.status);
  if (after !== undefined) query = query.where('id', '>', after);
  const rows: AgentRow[] = await query
    .orderBy('id')
    .limit(input.limit + 1)
    .execute();
  const { next_cursor } = toPage(rows, input.limit);
  const items = await toViews(tx, keyring, rows.slice(0, input.limit), input.withPrompt);
  return { items, next_cursor };
}
