/**
 * LLM keys and integration credentials: the list (only the last four
 * characters of a secret are ever shown; the server returns nothing more),
 * adding one, replacing a secret, revoking with a confirmation. A secret is
 * typed into a password field, sent once, and cleared from the form.
 * Below, each key's usage this month (llm-key-usage.tsx), BYOK apart from
 * platform keys.
 */
import { useId, useRef, useState, type ReactNode, type RefObject } from 'react';
import {
  addCredential,
  KINDS,
  listCredentials,
  PROVIDERS,
  replaceCredential,
  revokeCredential,
  type Credential,
  type CredentialKind,
} from '../api/credentials';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { useWorkspace } from '../workspace';
import { KeyUsageSection } from './llm-key-usage';

const KIND_NAMES: Readonly<Record<CredentialKind, string>> = {
  llm_api_key: 'LLM API key',
  oauth: 'OAuth access token',
  webhook_api_key: 'Webhook API key',
  mcp_client: 'MCP client secret',
  whatsapp_token: 'WhatsApp token',
};

export function LlmKeysPage(): ReactNode {
  const { current } = useWorkspace();
  const ws = current?.workspace_id ?? '';
  const load = useLoad(() => listCredentials(ws), ws);
  return (
    <section aria-labelledby="llm-keys-title">
      <h1 id="llm-keys-title">LLM keys and credentials</h1>
      <p>
        Keys and tokens {current?.workspace_name} uses to reach LLM providers and other services.
        They are stored encrypted with this workspace&apos;s key; after you save one, only its last
        four characters are ever shown.
      </p>
      <Loaded load={load} label="credentials">
        {(items) => <CredentialTable workspaceId={ws} items={items} changed={load.reload} />}
      </Loaded>
      <AddCredential workspaceId={ws} added={load.reload} />
      <Loaded load={load} label="usage">
        {(items) => <KeyUsageSection ws={ws} credentials={items} />}
      </Loaded>
    </section>
  );
}

function CredentialTable(props: {
  readonly workspaceId: string;
  readonly items: readonly Credential[];
  readonly changed: () => void;
}): ReactNode {
  if (props.items.length === 0) {
    return <p className="empty">No keys or credentials yet. Add one below.</p>;
  }
  return (
    <table>
      <caption className="visually-hidden">Credentials of this workspace</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Kind</th>
          <th scope="col">Provider</th>
          <th scope="col">Last four</th>
          <th scope="col">Created</th>
          <th scope="col">Status</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((c) => (
          <tr key={c.id}>
            <td>{c.label}</td>
            <td>{KIND_NAMES[c.kind]}</td>
            <td>{c.provider}</td>
            <td>
              {c.last4 === null ? (
                <span className="hint">hidden (short)</span>
              ) : (
                <code>…{c.last4}</code>
              )}
            </td>
            <td>
              <time dateTime={c.created_at}>{new Date(c.created_at).toLocaleDateString()}</time>
            </td>
            <td>{statusText(c)}</td>
            <td>
              {c.status === 'active' ? (
                <RowActions
                  workspaceId={props.workspaceId}
                  credential={c}
                  changed={props.changed}
                />
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function statusText(c: Credential): string {
  if (c.status === 'revoked') return 'Revoked';
  return c.replaced_at === null ? 'Active' : 'Active (replaced)';
}

function RowActions(props: {
  readonly workspaceId: string;
  readonly credential: Credential;
  readonly changed: () => void;
}): ReactNode {
  const [open, setOpen] = useState<'replace' | 'revoke' | undefined>();
  const name = props.credential.label;
  if (open === 'replace') {
    return <ReplaceForm {...props} close={() => setOpen(undefined)} />;
  }
  if (open === 'revoke') {
    return <RevokeConfirm {...props} close={() => setOpen(undefined)} />;
  }
  return (
    <span className="actions">
      <button
        type="button"
        className="secondary"
        aria-label={`Replace ${name}`}
        onClick={() => setOpen('replace')}
      >
        Replace
      </button>
      <button
        type="button"
        className="secondary"
        aria-label={`Revoke ${name}`}
        onClick={() => setOpen('revoke')}
      >
        Revoke
      </button>
    </span>
  );
}

function ReplaceForm(props: {
  readonly workspaceId: string;
  readonly credential: Credential;
  readonly changed: () => void;
  readonly close: () => void;
}): ReactNode {
  const id = useId();
  const secret = useRef<HTMLInputElement>(null);
  const { busy, error, submit } = useSubmit(async () => {
    await replaceCredential(props.workspaceId, props.credential, takeSecret(secret));
    props.close();
    props.changed();
  });
  return (
    <form className="inline-form" onSubmit={submit}>
      <label htmlFor={`${id}-secret`}>New secret for {props.credential.label}</label>
      <SecretInput id={`${id}-secret`} ref={secret} describedBy={`${id}-error`} />
      <ErrorLine id={`${id}-error`} error={error} />
      <span className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save new secret'}
        </button>
        <button type="button" className="secondary" onClick={props.close}>
          Cancel
        </button>
      </span>
    </form>
  );
}

function RevokeConfirm(props: {
  readonly workspaceId: string;
  readonly credential: Credential;
  readonly changed: () => void;
  readonly close: () => void;
}): ReactNode {
  const id = useId();
  const { busy, error, submit } = useSubmit(async () => {
    await revokeCredential(props.workspaceId, props.credential.id);
    props.close();
    props.changed();
  });
  return (
    <div className="inline-form" role="group" aria-labelledby={`${id}-question`}>
      <p id={`${id}-question`}>
        Revoke {props.credential.label}? Its secret is erased and cannot be brought back.
      </p>
      <ErrorLine id={`${id}-error`} error={error} />
      <span className="actions">
        <button type="button" className="danger" onClick={submit} disabled={busy}>
          {busy ? 'Revoking…' : 'Yes, revoke'}
        </button>
        <button type="button" className="secondary" onClick={props.close}>
          Cancel
        </button>
      </span>
    </div>
  );
}

function AddCredential(props: {
  readonly workspaceId: string;
  readonly added: () => void;
}): ReactNode {
  const id = useId();
  const [kind, setKind] = useState<CredentialKind>('llm_api_key');
  const [provider, setProvider] = useState<string>(PROVIDERS.llm_api_key[0]);
  const [label, setLabel] = useState('');
  const secret = useRef<HTMLInputElement>(null);
  const { busy, error, submit } = useSubmit(async () => {
    const value = takeSecret(secret);
    await addCredential(props.workspaceId, { kind, provider, label: label.trim(), secret: value });
    setLabel('');
    props.added();
  });
  const chooseKind = (next: CredentialKind) => {
    setKind(next);
    setProvider(PROVIDERS[next][0]);
  };
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Add a key or credential</h2>
      <label htmlFor={`${id}-kind`}>Kind</label>
      <select
        id={`${id}-kind`}
        value={kind}
        onChange={(e) => chooseKind(e.target.value as CredentialKind)}
      >
        {KINDS.map((k) => (
          <option key={k} value={k}>
            {KIND_NAMES[k]}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-provider`}>Provider</label>
      <select id={`${id}-provider`} value={provider} onChange={(e) => setProvider(e.target.value)}>
        {PROVIDERS[kind].map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-label`}>Name</label>
      <input
        id={`${id}-label`}
        required
        maxLength={200}
        value={label}
        onChange={(e) => setLabel(e.target.value)}
      />
      <label htmlFor={`${id}-secret`}>Secret</label>
      <SecretInput id={`${id}-secret`} ref={secret} describedBy={`${id}-secret-hint ${id}-error`} />
      <p className="hint" id={`${id}-secret-hint`}>
        Anthropic keys start with sk-ant-, OpenAI keys with sk-. It is not shown again after you
        save it.
      </p>
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Add'}
      </button>
    </form>
  );
}

/**
 * A password field React does not control, so the secret never becomes a
 * `value` attribute in the page's HTML; `takeSecret` reads and empties it.
 */
function SecretInput({
  id,
  ref,
  describedBy,
}: {
  readonly id: string;
  readonly ref: RefObject<HTMLInputElement | null>;
  readonly describedBy: string;
}): ReactNode {
  return (
    <input
      id={id}
      ref={ref}
      type="password"
      autoComplete="off"
      spellCheck={false}
      required
      aria-describedby={describedBy}
    />
  );
}

/** The typed secret, and the field emptied (whether or not the server takes it). */
function takeSecret(ref: RefObject<HTMLInputElement | null>): string {
  const input = ref.current;
  if (input === null) return '';
  const value = input.value;
  input.value = '';
  return value;
}
