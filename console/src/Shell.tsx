/**
 * The signed-in frame around every page: a header with the person and a
 * sign-out button, the navigation, and the workspace switcher (a placeholder
 * until pages work inside one workspace).
 */
import { useId, useState, type ReactNode } from 'react';
import type { Me } from './api';
import { describeError } from './errors';
import { Link, usePath } from './router';
import { useSession } from './session';

const pages = [{ path: '/app/workspaces', label: 'Workspaces' }] as const;

export function Shell(props: { readonly me: Me; readonly children: ReactNode }): ReactNode {
  const path = usePath();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Wardroom</span>
        <WorkspaceSwitcher me={props.me} />
        <Account me={props.me} />
      </header>
      <nav aria-label="Main">
        <ul>
          {pages.map((p) => (
            <li key={p.path}>
              <Link to={p.path} current={path === p.path}>
                {p.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}

function WorkspaceSwitcher(props: { readonly me: Me }): ReactNode {
  const id = useId();
  const [current, setCurrent] = useState(props.me.memberships[0]?.workspace_id ?? '');
  if (props.me.memberships.length === 0) return <span className="switcher">No workspace</span>;
  return (
    <span className="switcher">
      <label htmlFor={id}>Workspace</label>
      <select id={id} value={current} onChange={(e) => setCurrent(e.target.value)}>
        {props.me.memberships.map((m) => (
          <option key={m.workspace_id} value={m.workspace_id}>
            {m.workspace_name}
          </option>
        ))}
      </select>
    </span>
  );
}

function Account(props: { readonly me: Me }): ReactNode {
  const session = useSession();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const { user } = props.me;
  const onSignOut = () => {
    setBusy(true);
    setError(undefined);
    session
      .signOut()
      .catch((e: unknown) => setError(describeError(e)))
      .finally(() => setBusy(false));
  };
  return (
    <span className="account">
      <span>
        Signed in as <strong>{displayName(user)}</strong>
      </span>
      <button type="button" onClick={onSignOut} disabled={busy}>
        Sign out
      </button>
      {error === undefined ? null : (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

/** The person's display name, or their email when they have none (null or empty). */
function displayName(user: {
  readonly display_name?: string | null;
  readonly email: string;
}): string {
  const name = user.display_name?.trim() ?? '';
  return name === '' ? user.email : name;
}
