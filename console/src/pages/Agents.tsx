/**
 * The workspace's agents. Everyone in the workspace sees the list (name,
 * provider, model, output limit, status); admins and owners also create,
 * edit, archive and restore agents, and only they see system prompts (the
 * API leaves the prompt out for everyone else).
 */
import { useId, useState, type ReactNode } from 'react';
import type { Membership } from '../api/account';
import { createAgent, listAgents, updateAgent, type Agent } from '../api/agents';
import { hasRole } from '../roles';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { useWorkspace } from '../workspace';
import { AgentForm, changesOf } from './agent-form';

export function AgentsPage(): ReactNode {
  const { current } = useWorkspace();
  if (current === undefined) return null;
  return <Agents key={current.workspace_id} membership={current} />;
}

function Agents(props: { readonly membership: Membership }): ReactNode {
  const ws = props.membership.workspace_id;
  const admin = hasRole(props.membership, 'admin');
  const load = useLoad(() => listAgents(ws), ws);
  const [editing, setEditing] = useState<string | undefined>();
  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <p>
        Agents answer in conversations with a model from Anthropic or OpenAI, using this
        workspace&apos;s LLM keys.{' '}
        {admin
          ? 'System prompts are stored encrypted and shown only to admins and owners.'
          : 'Only admins and owners can create or change agents.'}
      </p>
      <Loaded load={load} label="agents">
        {(agents) => {
          const selected = agents.find((a) => a.id === editing);
          return (
            <>
              <AgentTable
                agents={agents}
                admin={admin}
                workspaceId={ws}
                onEdit={setEditing}
                changed={load.reload}
              />
              {selected === undefined || !admin ? null : (
                <AgentForm
                  key={selected.id}
                  title={`Edit ${selected.name}`}
                  submitLabel="Save changes"
                  agent={selected}
                  save={async (fields) => {
                    const changes = changesOf(selected, fields);
                    if (Object.keys(changes).length > 0)
                      await updateAgent(ws, selected.id, changes);
                    setEditing(undefined);
                    load.reload();
                  }}
                  cancel={() => setEditing(undefined)}
                />
              )}
            </>
          );
        }}
      </Loaded>
      {admin ? (
        <AgentForm
          title="Create an agent"
          submitLabel="Create agent"
          save={async (fields) => {
            await createAgent(ws, fields);
            load.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function AgentTable(props: {
  readonly agents: readonly Agent[];
  readonly admin: boolean;
  readonly workspaceId: string;
  readonly onEdit: (id: string) => void;
  readonly changed: () => void;
}): ReactNode {
  if (props.agents.length === 0) {
    return (
      <p className="empty">
        No agents yet.{props.admin ? ' Create one below.' : ' An admin can create one.'}
      </p>
    );
  }
  return (
    <table>
      <caption className="visually-hidden">Agents of this workspace</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Provider</th>
          <th scope="col">Model</th>
          <th scope="col">Longest answer</th>
          <th scope="col">Status</th>
          {props.admin ? <th scope="col">Actions</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.agents.map((a) => (
          <tr key={a.id}>
            <td>{a.name}</td>
            <td>{a.provider === 'anthropic' ? 'Anthropic' : 'OpenAI'}</td>
            <td>
              <code>{a.model}</code>
            </td>
            <td>{a.max_output_tokens.toLocaleString()} tokens</td>
            <td>{a.status === 'active' ? 'Active' : 'Archived'}</td>
            {props.admin ? (
              <td>
                <RowActions
                  agent={a}
                  workspaceId={props.workspaceId}
                  onEdit={props.onEdit}
                  changed={props.changed}
                />
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RowActions(props: {
  readonly agent: Agent;
  readonly workspaceId: string;
  readonly onEdit: (id: string) => void;
  readonly changed: () => void;
}): ReactNode {
  const id = useId();
  const [confirming, setConfirming] = useState(false);
  const a = props.agent;
  const { busy, error, submit } = useSubmit(
    async () => {
      await updateAgent(props.workspaceId, a.id, { archived: a.status === 'active' });
      setConfirming(false);
      props.changed();
    },
    { conflict: 'An active agent already has this name. Rename that one first.' },
  );
  if (confirming) {
    return (
      <div className="inline-form" role="group" aria-labelledby={`${id}-question`}>
        <p id={`${id}-question`}>
          Archive {a.name}? It stops answering; its past answers stay, and you can restore it.
        </p>
        <ErrorLine id={`${id}-error`} error={error} />
        <span className="actions">
          <button type="button" className="danger" onClick={submit} disabled={busy}>
            {busy ? 'Archiving…' : 'Yes, archive'}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      </div>
    );
  }
  return (
    <>
      <span className="actions">
        {a.status === 'active' ? (
          <>
            <button
              type="button"
              className="secondary"
              aria-label={`Edit ${a.name}`}
              onClick={() => props.onEdit(a.id)}
            >
              Edit
            </button>
            <button
              type="button"
              className="secondary"
              aria-label={`Archive ${a.name}`}
              onClick={() => setConfirming(true)}
            >
              Archive
            </button>
          </>
        ) : (
          <button
            type="button"
            className="secondary"
            aria-label={`Restore ${a.name}`}
            onClick={submit}
            disabled={busy}
          >
            {busy ? 'Restoring…' : 'Restore'}
          </button>
        )}
      </span>
      {error === undefined ? null : <ErrorLine id={`${id}-error`} error={error} />}
    </>
  );
}
