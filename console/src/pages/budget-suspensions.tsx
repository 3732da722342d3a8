/**
 * Keys the velocity tripwire suspended (spend far above the workspace's
 * normal rate): admins see them; owners resume one with a button.
 */
import { useState, type ReactNode } from 'react';
import { resumeSuspension, type Suspension } from '../api/budgets';
import type { Credential } from '../api/credentials';
import { ErrorLine, useSubmit } from '../ui/forms';
import { formatUsd } from '../usd';

/** A key as a person knows it: the credential's name, the platform provider, or offline. */
export function keyName(
  key: { key_source: string; credential_id: string | null; provider: string | null },
  credentials: readonly Credential[],
): string {
  if (key.key_source === 'byok') {
    const c = credentials.find((x) => x.id === key.credential_id);
    return c === undefined ? 'A removed key (your own)' : `${c.label} (your own key)`;
  }
  if (key.key_source === 'platform') return `Platform key (${key.provider ?? 'unknown'})`;
  return 'Offline provider (no key)';
}

export function Suspensions(props: {
  readonly ws: string;
  readonly items: readonly Suspension[];
  readonly credentials: readonly Credential[];
  readonly owner: boolean;
  readonly changed: () => void;
}): ReactNode {
  if (props.items.length === 0) {
    return <p className="empty">No key is suspended.</p>;
  }
  return (
    <>
      <p>
        {props.owner
          ? 'Revoke or replace a key you did not expect to spend before resuming it.'
          : 'Only an owner can resume a suspended key.'}
      </p>
      <table>
        <caption className="visually-hidden">Suspended LLM keys</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Suspended</th>
            <th scope="col">Spent in the window</th>
            <th scope="col">Threshold</th>
            {props.owner ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.items.map((s) => (
            <SuspensionRow key={s.id} {...props} suspension={s} />
          ))}
        </tbody>
      </table>
    </>
  );
}

function SuspensionRow(props: {
  readonly ws: string;
  readonly suspension: Suspension;
  readonly credentials: readonly Credential[];
  readonly owner: boolean;
  readonly changed: () => void;
}): ReactNode {
  const s = props.suspension;
  const name = keyName(s, props.credentials);
  const [errorId] = useState(() => `resume-error-${s.id}`);
  const resume = useSubmit(
    async () => {
      await resumeSuspension(props.ws, s.id);
      props.changed();
    },
    {
      not_found: 'That key was already resumed. Reload to see the list as it is now.',
      forbidden: 'Only an owner can resume a suspended key.',
    },
  );
  return (
    <tr>
      <td>{name}</td>
      <td>
        <time dateTime={s.suspended_at}>{new Date(s.suspended_at).toLocaleString()}</time>
      </td>
      <td>{formatUsd(s.window_micros)}</td>
      <td>{formatUsd(s.threshold_micros)}</td>
      {props.owner ? (
        <td>
          <button
            type="button"
            disabled={resume.busy}
            aria-label={`Resume ${name}`}
            aria-describedby={errorId}
            onClick={() => resume.submit()}
          >
            {resume.busy ? 'Resuming…' : 'Resume'}
          </button>
          <ErrorLine id={errorId} error={resume.error} />
        </td>
      ) : null}
    </tr>
  );
}
