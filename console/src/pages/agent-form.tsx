/**
 * The agent form, for creating one and for editing one: name, provider,
 * model (with suggestions the server prices), output limit and system
 * prompt. Editing sends only the fields that changed.
 */
import { useId, useState, type ReactNode } from 'react';
import {
  AGENT_PROVIDERS,
  SUGGESTED_MODELS,
  type Agent,
  type AgentFields,
  type AgentProvider,
} from '../api/agents';
import { ErrorLine, useSubmit } from '../ui/forms';

/** How this form words the codes it can meet (others: errors.ts). */
const FORM_SENTENCES: Readonly<Record<string, string>> = {
  validation_failed:
    'Check the fields: the model must belong to the provider and write text, and the output limit must be within the model’s own limit.',
  conflict: 'An active agent already has that name. Choose another name.',
};

const PROVIDER_NAMES: Readonly<Record<AgentProvider, string>> = {
  anthropic: 'Anthropic',
  openai: 'OpenAI',
};

export function AgentForm(props: {
  readonly title: string;
  readonly submitLabel: string;
  /** The agent being edited; undefined to create one. */
  readonly agent?: Agent;
  readonly save: (fields: AgentFields) => Promise<void>;
  readonly cancel?: () => void;
}): ReactNode {
  const id = useId();
  const a = props.agent;
  const [name, setName] = useState(a?.name ?? '');
  const [provider, setProvider] = useState<AgentProvider>(a?.provider ?? 'anthropic');
  const [model, setModel] = useState(a?.model ?? SUGGESTED_MODELS.anthropic[0] ?? '');
  const [limit, setLimit] = useState(a === undefined ? '' : String(a.max_output_tokens));
  const [prompt, setPrompt] = useState(a?.system_prompt ?? '');
  const { busy, error, submit } = useSubmit(async () => {
    await props.save({
      name: name.trim(),
      provider,
      model: model.trim(),
      system_prompt: prompt,
      max_output_tokens: limit.trim() === '' ? undefined : Number(limit),
    });
    if (a === undefined) {
      setName('');
      setPrompt('');
      setLimit('');
    }
  }, FORM_SENTENCES);
  const chooseProvider = (next: AgentProvider) => {
    setProvider(next);
    setModel(SUGGESTED_MODELS[next][0] ?? '');
  };
  return (
    <form className="agent-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{props.title}</h2>
      <label htmlFor={`${id}-name`}>Name</label>
      <input
        id={`${id}-name`}
        required
        maxLength={200}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <label htmlFor={`${id}-provider`}>Provider</label>
      <select
        id={`${id}-provider`}
        value={provider}
        onChange={(e) => chooseProvider(e.target.value as AgentProvider)}
      >
        {AGENT_PROVIDERS.map((p) => (
          <option key={p} value={p}>
            {PROVIDER_NAMES[p]}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-model`}>Model</label>
      <input
        id={`${id}-model`}
        required
        maxLength={200}
        list={`${id}-models`}
        spellCheck={false}
        value={model}
        aria-describedby={`${id}-model-hint`}
        onChange={(e) => setModel(e.target.value)}
      />
      <datalist id={`${id}-models`}>
        {SUGGESTED_MODELS[provider].map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      <p className="hint" id={`${id}-model-hint`}>
        The model must have a known price, so that every answer can be kept within budget.
      </p>
      <label htmlFor={`${id}-limit`}>Longest answer, in tokens (optional)</label>
      <input
        id={`${id}-limit`}
        type="number"
        min={1}
        max={1000000}
        step={1}
        inputMode="numeric"
        value={limit}
        aria-describedby={`${id}-limit-hint`}
        onChange={(e) => setLimit(e.target.value)}
      />
      <p className="hint" id={`${id}-limit-hint`}>
        Empty: 4,096, or the model&apos;s own limit if lower.
      </p>
      <label htmlFor={`${id}-prompt`}>System prompt</label>
      <textarea
        id={`${id}-prompt`}
        rows={6}
        maxLength={50000}
        value={prompt}
        aria-describedby={`${id}-prompt-hint ${id}-error`}
        onChange={(e) => setPrompt(e.target.value)}
      />
      <p className="hint" id={`${id}-prompt-hint`}>
        Instructions the agent follows in every conversation. Stored encrypted; only admins and
        owners can read it.
      </p>
      <ErrorLine id={`${id}-error`} error={error} />
      <span className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : props.submitLabel}
        </button>
        {props.cancel === undefined ? null : (
          <button type="button" className="secondary" onClick={props.cancel}>
            Cancel
          </button>
        )}
      </span>
    </form>
  );
}

/** The fields of `next` that differ from `agent`'s. */
export function changesOf(agent: Agent, next: AgentFields): Partial<AgentFields> {
  const promptChanged = next.system_prompt !== (agent.system_prompt ?? '');
  const limitChanged =
    next.max_output_tokens !== undefined && next.max_output_tokens !== agent.max_output_tokens;
  return {
    ...(next.name === agent.name ? {} : { name: next.name }),
    ...(next.provider === agent.provider ? {} : { provider: next.provider }),
    ...(next.model === agent.model ? {} : { model: next.model }),
    ...(promptChanged ? { system_prompt: next.system_prompt } : {}),
    ...(limitChanged ? { max_output_tokens: next.max_output_tokens } : {}),
  };
}
