/**
 * "Ask an agent" on a conversation page (members and up): pick an active
 * agent, type a question, send. The question joins the list at once, the
 * reply appears as it streams, and the stored reply replaces it when done.
 */
import { useId, useState, type ReactNode } from 'react';
import { listAgents, type Agent } from '../api/agents';
import { askAgent } from '../api/runs';
import type { Message } from '../api/workrooms';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';

export function AskAgent(props: {
  readonly ws: string;
  readonly conversationId: string;
  readonly userId: string;
  readonly onMessage: (m: Message) => void;
}): ReactNode {
  const load = useLoad(
    async () => (await listAgents(props.ws)).filter((a) => a.status === 'active'),
    props.ws,
  );
  return (
    <Loaded load={load} label="the agents">
      {(agents) =>
        agents.length === 0 ? (
          <p className="empty">No active agents in this workspace yet: an admin can add one.</p>
        ) : (
          <AskForm {...props} agents={agents} />
        )
      }
    </Loaded>
  );
}

function AskForm(props: {
  readonly ws: string;
  readonly conversationId: string;
  readonly userId: string;
  readonly agents: readonly Agent[];
  readonly onMessage: (m: Message) => void;
}): ReactNode {
  const id = useId();
  const [agentId, setAgentId] = useState(props.agents[0]?.id ?? '');
  const [content, setContent] = useState('');
  const [streaming, setStreaming] = useState<string | undefined>();
  const { busy, error, submit } = useSubmit(async () => {
    const question = content;
    setStreaming('');
    try {
      const reply = await askAgent(
        props.ws,
        props.conversationId,
        { agent_id: agentId, content: question },
        {
          onStart: (started) => {
            setContent('');
            props.onMessage({
              id: started.question_message_id,
              conversation_id: props.conversationId,
              author_type: 'user',
              author_id: props.userId,
              content: question,
              created_at: new Date().toISOString(),
            });
          },
          onText: (text) => setStreaming((s) => (s ?? '') + text),
        },
      );
      props.onMessage(reply);
    } finally {
      setStreaming(undefined);
    }
  });
  const agentName = props.agents.find((a) => a.id === agentId)?.name ?? 'The agent';
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`} className="ask-agent">
      <h2 id={`${id}-title`}>Ask an agent</h2>
      <label htmlFor={`${id}-agent`}>Agent</label>
      <select id={`${id}-agent`} value={agentId} onChange={(e) => setAgentId(e.target.value)}>
        {props.agents.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name} ({a.model})
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-question`}>Question</label>
      <textarea
        id={`${id}-question`}
        required
        maxLength={100_000}
        rows={3}
        value={content}
        aria-describedby={`${id}-error`}
        onChange={(e) => setContent(e.target.value)}
      />
      {streaming === undefined ? null : (
        <div aria-live="polite" aria-busy={busy} className="streaming">
          <p className="meta">
            <strong>{agentName}</strong> is answering…
          </p>
          <p className="content" data-testid="streaming-reply">
            {streaming}
          </p>
        </div>
      )}
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Asking…' : 'Ask'}
      </button>
    </form>
  );
}
