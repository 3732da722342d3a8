/**
 * Settings → Single sign-on (admins): the workspace's OIDC and SAML
 * connections (add, edit, remove; a client secret is only ever shown as
 * "set" and its last four characters) and the "Require SSO" switch. What
 * to register at the identity provider is shown beside the form.
 */
import { useId, useState, type ReactNode } from 'react';
import {
  createConnection,
  deleteConnection,
  getPolicy,
  listConnections,
  setPolicy,
  updateConnection,
  type Connection,
  type JitRole,
} from '../api/sso';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { useWorkspace } from '../workspace';

export function SsoPage(): ReactNode {
  const { current } = useWorkspace();
  const ws = current?.workspace_id ?? '';
  const connections = useLoad(() => listConnections(ws), ws);
  const [editing, setEditing] = useState<Connection | 'new' | undefined>();
  return (
    <section aria-labelledby="sso-title">
      <h1 id="sso-title">Single sign-on</h1>
      <RequireSso ws={ws} />
      <h2>Connections</h2>
      <Loaded load={connections} label="connections">
        {(items) => (
          <ConnectionTable
            ws={ws}
            items={items}
            onEdit={setEditing}
            onChanged={connections.reload}
          />
        )}
      </Loaded>
      {editing === undefined ? (
        <button type="button" onClick={() => setEditing('new')}>
          Add a connection
        </button>
      ) : (
        <ConnectionForm
          ws={ws}
          editing={editing === 'new' ? undefined : editing}
          onDone={() => {
            setEditing(undefined);
            connections.reload();
          }}
        />
      )}
      <ServiceProvider />
    </section>
  );
}

function RequireSso(props: { readonly ws: string }): ReactNode {
  const id = useId();
  const policy = useLoad(() => getPolicy(props.ws), props.ws);
  const [error, setError] = useState<string | undefined>();
  const toggle = useSubmit(async () => {
    setError(undefined);
    const now = policy.state.status === 'loaded' && policy.state.data.require_sso;
    await setPolicy(props.ws, !now);
    policy.reload();
  });
  return (
    <Loaded load={policy} label="the policy">
      {(data) => (
        <div className="panel">
          <label htmlFor={`${id}-require`}>
            <input
              id={`${id}-require`}
              type="checkbox"
              checked={data.require_sso}
              disabled={toggle.busy}
              aria-describedby={`${id}-help ${id}-error`}
              onChange={() => toggle.submit()}
            />{' '}
            Require SSO
          </label>
          <p id={`${id}-help`}>
            Members must sign in through one of this workspace’s connections. Owners can still use
            an email code, and each time they do it is recorded in the activity log.
          </p>
          <ErrorLine id={`${id}-error`} error={toggle.error ?? error} />
        </div>
      )}
    </Loaded>
  );
}

function ConnectionTable(props: {
  readonly ws: string;
  readonly items: Connection[];
  readonly onEdit: (c: Connection) => void;
  readonly onChanged: () => void;
}): ReactNode {
  if (props.items.length === 0) {
    return <p className="empty">No connection yet. Add one to let people sign in with SSO.</p>;
  }
  return (
    <table>
      <caption className="visually-hidden">SSO connections of this workspace</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Protocol</th>
          <th scope="col">Email domains</th>
          <th scope="col">New members</th>
          <th scope="col">Status</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((c) => (
          <ConnectionRow key={c.id} {...props} connection={c} />
        ))}
      </tbody>
    </table>
  );
}

function ConnectionRow(props: {
  readonly ws: string;
  readonly connection: Connection;
  readonly onEdit: (c: Connection) => void;
  readonly onChanged: () => void;
}): ReactNode {
  const c = props.connection;
  const [confirming, setConfirming] = useState(false);
  const remove = useSubmit(async () => {
    await deleteConnection(props.ws, c.id);
    props.onChanged();
  });
  const secret = c.oidc?.client_secret.last4;
  return (
    <tr>
      <td>{c.name}</td>
      <td>
        {c.kind === 'oidc' ? 'OpenID Connect' : 'SAML 2.0'}
        {c.oidc === null ? null : <span className="visually-hidden"> client secret set</span>}
        {secret === undefined || secret === null ? null : <> (secret …{secret})</>}
      </td>
      <td>{c.allowed_domains.join(', ')}</td>
      <td>{c.jit_role === null ? 'Invited only' : `Join as ${c.jit_role}`}</td>
      <td>{c.enabled ? 'Enabled' : 'Disabled'}</td>
      <td>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => props.onEdit(c)}>
            Edit {c.name}
          </button>
          {confirming ? (
            <button type="button" onClick={() => remove.submit()} disabled={remove.busy}>
              Confirm removing {c.name}
            </button>
          ) : (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              Remove {c.name}
            </button>
          )}
        </div>
        {remove.error === undefined ? null : (
          <p className="error" role="alert">
            {remove.error}
          </p>
        )}
      </td>
    </tr>
  );
}

interface FormState {
  kind: 'oidc' | 'saml';
  name: string;
  domains: string;
  jit: JitRole | '';
  enabled: boolean;
  issuer: string;
  clientId: string;
  clientSecret: string;
  entityId: string;
  ssoUrl: string;
  certificate: string;
}

function initial(c: Connection | undefined): FormState {
  return {
    kind: c?.kind ?? 'oidc',
    name: c?.name ?? '',
    domains: c?.allowed_domains.join(', ') ?? '',
    jit: c?.jit_role ?? '',
    enabled: c?.enabled ?? true,
    issuer: c?.oidc?.issuer ?? '',
    clientId: c?.oidc?.client_id ?? '',
    clientSecret: '',
    entityId: c?.saml?.idp_entity_id ?? '',
    ssoUrl: c?.saml?.idp_sso_url ?? '',
    certificate: '',
  };
}

/** The request body: only what applies to the kind, and on edit a secret or certificate only when typed. */
function bodyOf(f: FormState, isNew: boolean): Record<string, unknown> {
  const common = {
    name: f.name.trim(),
    enabled: f.enabled,
    allowed_domains: f.domains.split(/[\s,]+/).filter((d) => d !== ''),
    jit_role: f.jit === '' ? null : f.jit,
  };
  const kind =
    f.kind === 'oidc'
      ? {
          issuer: f.issuer.trim(),
          client_id: f.clientId.trim(),
          ...(f.clientSecret === '' ? {} : { client_secret: f.clientSecret }),
        }
      : {
          idp_entity_id: f.entityId.trim(),
          idp_sso_url: f.ssoUrl.trim(),
          ...(f.certificate.trim() === '' ? {} : { idp_certificates: [f.certificate.trim()] }),
        };
  return { ...(isNew ? { kind: f.kind } : {}), ...common, ...kind };
}

function ConnectionForm(props: {
  readonly ws: string;
  readonly editing: Connection | undefined;
  readonly onDone: () => void;
}): ReactNode {
  const id = useId();
  const { editing } = props;
  const isNew = editing === undefined;
  const [f, setF] = useState<FormState>(() => initial(props.editing));
  const set = (patch: Partial<FormState>) => setF((old) => ({ ...old, ...patch }));
  const { busy, error, submit } = useSubmit(async () => {
    const body = bodyOf(f, isNew);
    if (props.editing === undefined) await createConnection(props.ws, body);
    else await updateConnection(props.ws, props.editing.id, body);
    props.onDone();
  });
  const title = editing === undefined ? 'Add a connection' : `Edit ${editing.name}`;
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>{title}</h2>
      <CommonFields id={id} f={f} set={set} isNew={isNew} />
      {f.kind === 'oidc' ? (
        <OidcFields id={id} f={f} set={set} isNew={isNew} />
      ) : (
        <SamlFields id={id} f={f} set={set} isNew={isNew} />
      )}
      <ErrorLine id={`${id}-error`} error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save connection'}
        </button>
        <button type="button" className="secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface FieldsProps {
  readonly id: string;
  readonly f: FormState;
  readonly set: (patch: Partial<FormState>) => void;
  readonly isNew: boolean;
}

function CommonFields({ id, f, set, isNew }: FieldsProps): ReactNode {
  return (
    <>
      {isNew ? (
        <>
          <label htmlFor={`${id}-kind`}>Protocol</label>
          <select
            id={`${id}-kind`}
            value={f.kind}
            onChange={(e) => set({ kind: e.target.value === 'saml' ? 'saml' : 'oidc' })}
          >
            <option value="oidc">OpenID Connect</option>
            <option value="saml">SAML 2.0</option>
          </select>
        </>
      ) : null}
      <label htmlFor={`${id}-name`}>Connection name</label>
      <input
        id={`${id}-name`}
        required
        maxLength={200}
        value={f.name}
        onChange={(e) => set({ name: e.target.value })}
      />
      <label htmlFor={`${id}-domains`}>Allowed email domains (comma separated)</label>
      <input
        id={`${id}-domains`}
        required
        value={f.domains}
        onChange={(e) => set({ domains: e.target.value })}
      />
      <label htmlFor={`${id}-jit`}>People who are not members yet</label>
      <select
        id={`${id}-jit`}
        value={f.jit}
        onChange={(e) => set({ jit: e.target.value as JitRole | '' })}
      >
        <option value="">Cannot sign in (invite them first)</option>
        <option value="viewer">Join as viewer</option>
        <option value="member">Join as member</option>
        <option value="admin">Join as admin</option>
      </select>
      <label htmlFor={`${id}-enabled`}>
        <input
          id={`${id}-enabled`}
          type="checkbox"
          checked={f.enabled}
          onChange={(e) => set({ enabled: e.target.checked })}
        />{' '}
        Enabled
      </label>
    </>
  );
}

function OidcFields({ id, f, set, isNew }: FieldsProps): ReactNode {
  return (
    <>
      <label htmlFor={`${id}-issuer`}>Issuer URL</label>
      <input
        id={`${id}-issuer`}
        type="url"
        required
        value={f.issuer}
        onChange={(e) => set({ issuer: e.target.value })}
      />
      <label htmlFor={`${id}-client`}>Client id</label>
      <input
        id={`${id}-client`}
        required
        value={f.clientId}
        onChange={(e) => set({ clientId: e.target.value })}
      />
      <label htmlFor={`${id}-secret`}>
        {isNew ? 'Client secret' : 'New client secret (leave empty to keep the current one)'}
      </label>
      <input
        id={`${id}-secret`}
        type="password"
        autoComplete="off"
        required={isNew}
        value={f.clientSecret}
        onChange={(e) => set({ clientSecret: e.target.value })}
      />
    </>
  );
}

function SamlFields({ id, f, set, isNew }: FieldsProps): ReactNode {
  return (
    <>
      <label htmlFor={`${id}-entity`}>Identity provider entity id</label>
      <input
        id={`${id}-entity`}
        required
        value={f.entityId}
        onChange={(e) => set({ entityId: e.target.value })}
      />
      <label htmlFor={`${id}-sso-url`}>Identity provider sign-in URL</label>
      <input
        id={`${id}-sso-url`}
        type="url"
        required
        value={f.ssoUrl}
        onChange={(e) => set({ ssoUrl: e.target.value })}
      />
      <label htmlFor={`${id}-cert`}>
        {isNew ? 'Signing certificate (PEM)' : 'New signing certificate (leave empty to keep)'}
      </label>
      <textarea
        id={`${id}-cert`}
        rows={6}
        required={isNew}
        value={f.certificate}
        onChange={(e) => set({ certificate: e.target.value })}
      />
    </>
  );
}

function ServiceProvider(): ReactNode {
  const origin = window.location.origin;
  return (
    <div className="panel">
      <h2>What to register at your identity provider</h2>
      <dl>
        <dt>OIDC redirect URI</dt>
        <dd>
          <code>{origin}/api/v1/auth/sso/oidc/callback</code>
        </dd>
        <dt>SAML ACS URL</dt>
        <dd>
          <code>{origin}/api/v1/auth/sso/saml/acs</code>
        </dd>
        <dt>SAML entity id (and metadata)</dt>
        <dd>
          <code>{origin}/api/v1/auth/sso/saml/metadata</code>
        </dd>
      </dl>
    </div>
  );
}
