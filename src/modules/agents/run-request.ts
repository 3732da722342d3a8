/**
 * The provider request of an agent run, in the provider's own wire format:
 * the agent's system prompt, the conversation's recent messages as context
 * (the member's question last), the agent's output limit, streamed.
 *
 * Roles: this agent's own earlier replies are `assistant`; everything else
 * (members, other agents, system notes) is `user`, since the model answers
 * for this agent only. Anthropic needs the turns to alternate and to start
 * with `user`, so consecutive turns of one role are joined and leading
 * assistant turns dropped; OpenAI takes the same turns, with the system
 * prompt as the first message.
 */
import type { Operation } from '../gateway/index.js';
import type { AgentProvider } from './store.js';

export interface ContextMessage {
  readonly author_type: 'user' | 'agent' | 'system';
  readonly author_id: string | null;
  readonly content: string;
}

export interface RunAgent {
  readonly id: string;
  readonly provider: AgentProvider;
  readonly model: string;
  readonly systemPrompt: string;
  readonly maxOutputTokens: number;
}

export interface RunRequest {
  readonly operation: Operation;
  readonly body: Readonly<Record<string, unknown>>;
}

interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

/** Oldest first, alternating, starting with `user`. */
export function turnsOf(agentId: string, messages: readonly ContextMessage[]): Turn[] {
  const turns: Turn[] = [];
  for (const m of messages) {
    const own = m.author_type === 'agent' && m.author_id?.toLowerCase() === agentId.toLowerCase();
    const role = own ? 'assistant' : 'user';
    const last = turns[turns.length - 1];
    if (last?.role === role) last.content = `${last.content}\n\n${m.content}`;
    else if (role === 'user' || turns.length > 0) turns.push({ role, content: m.content });
  }
  return turns;
}

export function buildRunRequest(agent: RunAgent, context: readonly ContextMessage[]): RunRequest {
  const turns = turnsOf(agent.id, context);
  if (agent.provider === 'anthropic') {
    return {
      operation: 'anthropic.messages',
      body: {
        model: agent.model,
        max_tokens: agent.maxOutputTokens,
        ...(agent.systemPrompt === '' ? {} : { system: agent.systemPrompt }),
        messages: turns,
        stream: true,
      },
    };
  }
  const system = agent.systemPrompt === '' ? [] : [{ role: 'system', content: agent.systemPrompt }];
  return {
    operation: 'openai.chat_completions',
    body: {
      model: agent.model,
      max_completion_tokens: agent.maxOutputTokens,
      messages: [...system, ...turns],
      stream: true,
    },
  };
}
