/**
 * The person's own API tokens in the current workspace: the list (never a
 * secret), creating one (name and expiry; the secret is shown once, with a
 * copy button and a warning) and revoking one after a confirm.
 */
import { useId, useState, type ReactNode } from 'react';
import {
  createToken,
  listTokens,
  revokeToken,
  TOKEN_EXPIRIES,
  type ApiToken,
  type CreatedToken,
  type TokenExpiry,
} from '../api/tokens';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { useWorkspace } from '../workspace';

/** A time from the API, in the person's locale. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}

export function AccountTokens(): ReactNode {
  const { current } = useWorkspace();
  return (
    <div className="panel wide" aria-labelledby="tokens-title" role="region">
      <h2 id="tokens-title">
        API tokens{current === undefined ? '' : ` in ${current.workspace_name}`}
      </h2>
      {current === undefined ? (
        <p className="empty">API tokens belong to a workspace. Create or join one first.</p>
      ) : (
        <WorkspaceTokens key={current.workspace_id} workspaceId={current.workspace_id} />
      )}
    </div>
  );
}

function WorkspaceTokens(props: { readonly workspaceId: string }): ReactNode {
  const { workspaceId } = props;
  const load = useLoad(() => listTokens(workspaceId), `tokens:${workspaceId}`);
  const [created, setCreated] = useState<CreatedToken | undefined>();
  return (
    <>
      <p>
        A token acts as you in this workspace, with your role, from scripts and other programs (
        <code>Authorization: Bearer …</code>). Only you can see or revoke your tokens.
      </p>
      {created === undefined ? null : (
        <NewTokenSecret created={created} onDone={() => setCreated(undefined)} />
      )}
      <Loaded load={load} label="your API tokens">
        {(tokens) => <TokenTable tokens={tokens} workspaceId={workspaceId} reload={load.reload} />}
      </Loaded>
      <CreateTokenForm
        workspaceId={workspaceId}
        onCreated={(token) => {
          setCreated(token);
          load.reload();
        }}
      />
    </>
  );
}

function TokenTable(props: {
  readonly tokens: readonly ApiToken[];
  readonly workspaceId: string;
  readonly reload: () => void;
}): ReactNode {
  if (props.tokens.length === 0) {
    return <p className="empty">You have no API tokens in this workspace yet.</p>;
  }
  return (
    <table>
      <caption className="visually-hidden">Your API tokens in this workspace, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Ends with</th>
          <th scope="col">Created</th>
          <th scope="col">Expires</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.tokens.map((t) => (
          <TokenRow key={t.id} token={t} workspaceId={props.workspaceId} reload={props.reload} />
        ))}
      </tbody>
    </table>
  );
}

const statusText: Readonly<Record<ApiToken['status'], string>> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};

function TokenRow(props: {
  readonly token: ApiToken;
  readonly workspaceId: string;
  readonly reload: () => void;
}): ReactNode {
  const t = props.token;
  return (
    <tr>
      <td>{t.name === '' ? <em>unnamed</em> : t.name}</td>
      <td>{t.last_four === null ? '—' : <code>…{t.last_four}</code>}</td>
      <td>{formatTime(t.created_at)}</td>
      <td>{t.expires_at === null ? 'Never' : formatTime(t.expires_at)}</td>
      <td>{statusText[t.status]}</td>
      <td>
        {t.status === 'revoked' ? null : (
          <RevokeToken token={t} workspaceId={props.workspaceId} reload={props.reload} />
        )}
      </td>
    </tr>
  );
}

function RevokeToken(props: {
  readonly token: ApiToken;
  readonly workspaceId: string;
  readonly reload: () => void;
}): ReactNode {
  const id = useId();
  const [confirming, setConfirming] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    await revokeToken(props.workspaceId, props.token.id);
    props.reload();
  });
  if (!confirming) {
    return (
      <button
        type="button"
        className="secondary"
        aria-label={`Revoke ${props.token.name}`}
        onClick={() => setConfirming(true)}
      >
        Revoke…
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-labelledby={`${id}-question`}>
      <span id={`${id}-question`}>
        Revoke “{props.token.name}”? Programs using it stop working.
      </span>{' '}
      <button type="button" disabled={busy} onClick={submit} autoFocus>
        Yes, revoke
      </button>{' '}
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      <ErrorLine id={`${id}-error`} error={error} />
    </span>
  );
}

function NewTokenSecret(props: {
  readonly created: CreatedToken;
  readonly onDone: () => void;
}): ReactNode {
  const id = useId();
  const [copied, setCopied] = useState<string | undefined>();
  const copy = () => {
    navigator.clipboard.writeText(props.created.token).then(
      () => setCopied('Copied to the clipboard.'),
      () => setCopied('Could not copy: select the token and copy it yourself.'),
    );
  };
  return (
    <div className="secret" role="region" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Your new token “{props.created.name}”</h3>
      <p className="warning">
        Copy it now: this is the only time it is shown. Store it like a password; anyone who has it
        acts as you in this workspace.
      </p>
      <label htmlFor={`${id}-value`}>New API token</label>
      <input
        id={`${id}-value`}
        readOnly
        value={props.created.token}
        onFocus={(e) => e.currentTarget.select()}
      />
      <div className="actions">
        <button type="button" onClick={copy}>
          Copy token
        </button>
        <button type="button" className="secondary" onClick={props.onDone}>
          I have stored it
        </button>
      </div>
      <p role="status">{copied ?? ''}</p>
    </div>
  );
}

const expiryLabel = (days: TokenExpiry) => (days === null ? 'Never' : `In ${String(days)} days`);

function CreateTokenForm(props: {
  readonly workspaceId: string;
  readonly onCreated: (token: CreatedToken) => void;
}): ReactNode {
  const id = useId();
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<TokenExpiry>(30);
  const { busy, error, submit } = useSubmit(async () => {
    props.onCreated(await createToken(props.workspaceId, name.trim(), expiry));
    setName('');
  });
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Create a token</h3>
      <label htmlFor={`${id}-name`}>Token name</label>
      <input
        id={`${id}-name`}
        required
        maxLength={200}
        value={name}
        placeholder="e.g. deploy script"
        aria-describedby={`${id}-error`}
        onChange={(e) => setName(e.target.value)}
      />
      <label htmlFor={`${id}-expiry`}>Expires</label>
      <select
        id={`${id}-expiry`}
        value={expiry === null ? 'never' : String(expiry)}
        onChange={(e) =>
          setExpiry(e.target.value === 'never' ? null : (Number(e.target.value) as TokenExpiry))
        }
      >
        {TOKEN_EXPIRIES.map((d) => (
          <option key={String(d)} value={d === null ? 'never' : String(d)}>
            {expiryLabel(d)}
          </option>
        ))}
      </select>
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
    </form>
  );
}
