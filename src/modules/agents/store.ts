/**
 * Agents as stored: the row, the sealed system prompt's place, and the view
 * the API answers with. The prompt is sealed under the workspace's data key,
 * bound to (workspace, agents, system_prompt, id) and to prompt_version, so a
 * prompt moved to another agent or workspace, or an older ciphertext written
 * back, fails to open with decryption_failed.
 *
 * Only admins see the prompt: a member's or viewer's view has no
 * `system_prompt` at all, and their reads never open it.
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import type { Keyring } from '../keys/index.js';

export const AGENT_PROVIDERS = ['anthropic', 'openai'] as const;
export type AgentProvider = (typeof AGENT_PROVIDERS)[number];
export const AGENT_STATUSES = ['active', 'archived'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface AgentView {
  readonly id: string;
  readonly name: string;
  readonly provider: AgentProvider;
  readonly model: string;
  readonly max_output_tokens: number;
  readonly status: AgentStatus;
  /** Admins only: absent from a member's or viewer's view. */
  readonly system_prompt?: string;
  readonly created_by: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly archived_at: string | null;
}

export const AGENT_COLUMNS = [
  'id',
  'name',
  'provider',
  'model',
  'system_prompt',
  'prompt_version',
  'max_output_tokens',
  'status',
  'created_by',
  'created_at',
  'updated_at',
  'archived_at',
] as const;

export interface AgentRow {
  readonly id: string;
  readonly name: string;
  readonly provider: AgentProvider;
  readonly model: string;
  readonly system_prompt: Buffer;
  readonly prompt_version: number;
  readonly max_output_tokens: number;
  readonly status: AgentStatus;
  readonly created_by: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly archived_at: Date | null;
}

/** Where an agent's prompt is sealed; `version` is its prompt_version (keys/sealed-fields.ts). */
export const promptRef = (id: string, version: number) => ({
  table: 'agents',
  column: 'system_prompt',
  rowId: id.toLowerCase(),
  bound: [String(version)],
});

export const agentNotFound = (): AppError => new AppError('not_found', 'Agent not found');

/** The view without the prompt (what members and viewers get). */
export function publicView(r: AgentRow): AgentView {
  return {
    id: r.id,
    name: r.name,
    provider: r.provider,
    model: r.model,
    max_output_tokens: r.max_output_tokens,
    status: r.status,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
    archived_at: r.archived_at?.toISOString() ?? null,
  };
}

/** Views of `rows`, with their prompts opened (one key lookup) when `withPrompt`. */
export async function toViews(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  rows: readonly AgentRow[],
  withPrompt: boolean,
): Promise<AgentView[]> {
  if (!withPrompt || rows.length === 0) return rows.map(publicView);
  const prompts = await keyring.openMany(
    tx,
    rows.map((r) => ({ ref: promptRef(r.id, r.prompt_version), envelope: r.system_prompt })),
  );
  return rows.map((r, i) => ({
    ...publicView(r),
    system_prompt: (prompts[i] ?? Buffer.alloc(0)).toString('utf8'),
  }));
}

/** One row's view, its prompt opened when `withPrompt`. */
export async function toView(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  row: AgentRow,
  withPrompt: boolean,
): Promise<AgentView> {
  const [view] = await toViews(tx, keyring, [row], withPrompt);
  return view ?? publicView(row);
}

/** The active-name unique key, as a clear conflict (agent names are not secret). */
export function nameConflict(error: unknown, name: string): AppError | undefined {
  const isNameKey =
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === '23505' &&
    'constraint' in error &&
    error.constraint === 'agents_active_name_key';
  return isNameKey
    ? new AppError('conflict', `An active agent is already named "${name}"`)
    : undefined;
}
