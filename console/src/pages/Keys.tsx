/**
 * Keys and deletion (owners): the workspace's key status, and crypto-
 * shredding it. The shred destroys every version of the workspace's data key
 * and its root key, so nothing sealed with them opens again; the owner types
 * the workspace's name to confirm (the server checks it), and the signed
 * receipt is shown, to keep.
 */
import { useId, useState, type ReactNode, type SyntheticEvent } from 'react';
import { ApiError } from '../api/client';
import { keyStatus, shredWorkspace, type KeyStatus, type ShredReceipt } from '../api/keys';
import { describeError } from '../errors';
import { ErrorLine } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { useWorkspace } from '../workspace';

const STORE_NAMES: Readonly<Record<string, string>> = {
  file: 'a key file on the server',
  'vault-transit': 'HashiCorp Vault (transit)',
  'aws-kms': 'AWS KMS',
};

export function KeysPage(): ReactNode {
  const { current } = useWorkspace();
  const ws = current?.workspace_id ?? '';
  const [receipt, setReceipt] = useState<{ ws: string; receipt: ShredReceipt } | undefined>();
  const load = useLoad(() => keyStatus(ws), ws);
  const shredded = receipt !== undefined && receipt.ws === ws;
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Keys and deletion</h1>
      {shredded ? (
        <Receipt receipt={receipt.receipt} name={current?.workspace_name ?? ''} />
      ) : (
        <>
          <h2>Key status</h2>
          {/* The shred form only under a status that loaded: a shredded workspace shows why not. */}
          <Loaded load={load} label="the key status">
            {(status) => (
              <>
                <StatusView status={status} />
                <ShredForm
                  workspaceId={ws}
                  name={current?.workspace_name ?? ''}
                  done={(r) => setReceipt({ ws, receipt: r })}
                />
              </>
            )}
          </Loaded>
        </>
      )}
    </section>
  );
}

function StatusView(props: { readonly status: KeyStatus }): ReactNode {
  const s = props.status;
  return (
    <div className="panel">
      <dl className="facts">
        <dt>Current data key</dt>
        <dd>{s.primary_version === null ? 'none' : `version ${String(s.primary_version)}`}</dd>
        <dt>Oldest version still opened</dt>
        <dd>version {s.min_version}</dd>
        <dt>Root key kept in</dt>
        <dd>{s.root_key_store === null ? 'no root key yet' : STORE_NAMES[s.root_key_store]}</dd>
        <dt>Values on older versions</dt>
        <dd>{s.rows_on_old_versions}</dd>
        <dt>Latest re-encryption</dt>
        <dd>
          {s.sweep === null
            ? 'none yet'
            : `to version ${String(s.sweep.to_version)}: ${s.sweep.status}, ${String(s.sweep.rows_done)} of ${String(s.sweep.rows_total)} values`}
        </dd>
      </dl>
      <table>
        <caption>Data key versions</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">State</th>
            <th scope="col">Bound to the root key</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {s.versions.map((v) => (
            <tr key={v.version}>
              <td>{v.version}</td>
              <td>{v.primary ? 'current' : v.retired ? 'retired' : 'still opens older data'}</td>
              <td>{v.rooted ? 'yes' : 'no'}</td>
              <td>
                <time dateTime={v.created_at}>{new Date(v.created_at).toLocaleString()}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ShredForm(props: {
  readonly workspaceId: string;
  readonly name: string;
  readonly done: (receipt: ShredReceipt) => void;
}): ReactNode {
  const id = useId();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    shredWorkspace(props.workspaceId, typed)
      .then(props.done, (e: unknown) => {
        // The server compares the name: a mismatch is its validation_failed, and nothing changed.
        const mismatch = e instanceof ApiError && e.code === 'validation_failed';
        setError(
          mismatch
            ? `That is not the workspace's name. Type ${props.name} exactly. Nothing was deleted.`
            : describeError(e),
        );
      })
      .finally(() => setBusy(false));
  };
  return (
    <form className="danger-zone" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Delete this workspace permanently</h2>
      <p>
        Shredding destroys every version of {props.name}&apos;s data key and its root key. Every
        message, name and credential sealed with them becomes unreadable everywhere, backups
        included. <strong>This cannot be undone.</strong> Every page and API call of the workspace
        will answer that it has been deleted. You receive a signed receipt of what was destroyed.
      </p>
      <label htmlFor={`${id}-confirm`}>Type the workspace name, {props.name}, to confirm</label>
      <input
        id={`${id}-confirm`}
        autoComplete="off"
        required
        maxLength={200}
        value={typed}
        aria-describedby={`${id}-error`}
        onChange={(e) => setTyped(e.target.value)}
      />
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" className="danger" disabled={busy}>
        {busy ? 'Shredding…' : 'Shred this workspace'}
      </button>
    </form>
  );
}

function Receipt(props: { readonly receipt: ShredReceipt; readonly name: string }): ReactNode {
  const r = props.receipt.receipt;
  return (
    <div className="panel" role="status">
      <h2>{props.name} has been shredded</h2>
      <p>
        Its keys are destroyed and its data can no longer be read. Every page of this workspace now
        says it has been deleted. Keep this receipt: it is signed, and proves what was destroyed and
        when.
      </p>
      <dl className="facts">
        <dt>Receipt id</dt>
        <dd>
          <code>{r.receipt_id}</code>
        </dd>
        <dt>Shredded at</dt>
        <dd>
          <time dateTime={r.shredded_at}>{new Date(r.shredded_at).toLocaleString()}</time>
        </dd>
        <dt>Key versions destroyed</dt>
        <dd>{r.destroyed.map((d) => d.version).join(', ')}</dd>
        <dt>Stored files deleted</dt>
        <dd data-testid="objects-deleted">
          {props.receipt.objects_deleted ?? 'Not deleted (they stay unreadable; see Activity)'}
        </dd>
        <dt>Signing key id</dt>
        <dd>
          <code>{r.signing_key_id}</code>
        </dd>
      </dl>
      <p>
        To check it, save the receipt below as a file and run{' '}
        <code>wardroom keys verify-receipt FILE --public-key KEY</code>, with the key published at{' '}
        <code>/.well-known/wardroom-audit-key</code>.
      </p>
      <label htmlFor="shred-receipt">Signed receipt (JSON)</label>
      <textarea
        id="shred-receipt"
        readOnly
        rows={8}
        value={JSON.stringify(
          {
            receipt: props.receipt.receipt,
            signature: props.receipt.signature,
            public_key: props.receipt.public_key,
          },
          null,
          2,
        )}
      />
    </div>
  );
}
