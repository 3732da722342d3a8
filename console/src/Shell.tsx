/**
 * The signed-in frame around every page: a header with the workspace
 * switcher, the person and a sign-out button, and the navigation built from
 * the page registry (only the pages the current role may open).
 */
import { useId, useState, type ReactNode } from 'react';
import type { Me } from './api/account';
import { describeError } from './errors';
import { pages, type PageDef } from './pages/registry';
import { hasRole } from './roles';
import { Link, usePath } from './router';
import { useSession } from './session';
import { DeletionBanner } from './ui/deletion-banner';
import { useWorkspace } from './workspace';

export function Shell(props: { readonly me: Me; readonly children: ReactNode }): ReactNode {
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
      <Navigation />
      <main id="main" tabIndex={-1}>
        <DeletionBanner />
        {props.children}
      </main>
    </div>
  );
}

function Navigation(): ReactNode {
  const path = usePath();
  const { current } = useWorkspace();
  const visible = (p: PageDef) =>
    p.needs === 'signed-in' ||
    (current !== undefined && (p.needs === 'workspace' || hasRole(current, p.needs)));
  const section = (nav: 'workspace' | 'account', heading: string) => {
    const items = pages.filter((p) => p.nav === nav && visible(p));
    if (items.length === 0) return null;
    return (
      <>
        <h2 className="nav-heading">{heading}</h2>
        <ul>
          {items.map((p) => (
            <li key={p.path}>
              <Link to={p.path} current={path === p.path}>
                {p.title}
              </Link>
            </li>
          ))}
        </ul>
      </>
    );
  };
  return (
    <nav aria-label="Main">
      {section('workspace', current?.workspace_name ?? 'Workspace')}
      {section('account', 'You')}
    </nav>
  );
}

function WorkspaceSwitcher(props: { readonly me: Me }): ReactNode {
  const id = useId();
  const { current, select } = useWorkspace();
  if (props.me.memberships.length === 0) return <span className="switcher">No workspace</span>;
  return (
    <span className="switcher">
      <label htmlFor={id}>Workspace</label>
      <select id={id} value={current?.workspace_id ?? ''} onChange={(e) => select(e.target.value)}>
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
