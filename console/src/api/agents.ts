/**
 * Agents: admins create, edit, archive and restore them and see their system
 * prompts; members and viewers get the same list without `system_prompt`.
 */
import { api, query, seg } from './client';

export const AGENT_PROVIDERS = ['anthropic', 'openai'] as const;
export type AgentProvider = (typeof AGENT_PROVIDERS)[number];

/** Models the server prices today, offered as suggestions (the server decides). */
export const SUGGESTED_MODELS: Readonly<Record<AgentProvider, readonly string[]>> = {
  anthropic: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-5'],
  openai: ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4o-mini'],
};

export interface Agent {
  readonly id: string;
  readonly name: string;
  readonly provider: AgentProvider;
  readonly model: string;
  readonly max_output_tokens: number;
  readonly status: 'active' | 'archived';
  /** Present for admins and owners only. */
  readonly system_prompt?: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly archived_at: string | null;
}

export interface AgentFields {
  readonly name: string;
  readonly provider: AgentProvider;
  readonly model: string;
  readonly system_prompt: string;
  /** Undefined: the server's default for the model. */
  readonly max_output_tokens: number | undefined;
}

interface AgentPage {
  readonly items: readonly Agent[];
  readonly next_cursor: string | null;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/agents`;

/** Every agent of the workspace, active and archived, oldest first (all pages). */
export async function listAgents(workspaceId: string): Promise<Agent[]> {
  const all: Agent[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<AgentPage>(
      `${base(workspaceId)}${query({ status: 'all', limit: 200, cursor })}`,
    );
    all.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}

export function createAgent(workspaceId: string, fields: AgentFields): Promise<Agent> {
  return api.post<Agent>(base(workspaceId), fields);
}

/** Sends only what changed (the server refuses an empty edit). */
export function updateAgent(
  workspaceId: string,
  id: string,
  changes: Partial<AgentFields> & { readonly archived?: boolean },
): Promise<Agent> {
  return api.patch<Agent>(`${base(workspaceId)}/${seg(id)}`, changes);
}
