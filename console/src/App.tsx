/**
 * Chooses what to show: sign-in without a session; else the shell around
 * the page the registry names for the path, if the person's role in the
 * current workspace allows it (the API checks again on every call).
 */
import { useEffect, type ReactNode } from 'react';
import type { Me } from './api/account';
import { describeError } from './errors';
import { matchPage, type PageDef } from './pages/registry';
import { OptOutPage, OPTOUT_PATH } from './pages/OptOut';
import { SignInPage } from './pages/SignIn';
import { hasRole } from './roles';
import { navigate, usePath } from './router';
import { useSession } from './session';
import { Shell } from './Shell';
import { useWorkspace, WorkspaceProvider } from './workspace';

export function App(): ReactNode {
  const { state, refresh } = useSession();
  const path = usePath();
  const signedIn = state.status === 'signed-in';
  const isPublic = path === OPTOUT_PATH;
  useEffect(() => {
    if (signedIn && !isPublic && !path.startsWith('/app/')) {
      navigate('/app/workspaces', { replace: true });
    }
  }, [signedIn, isPublic, path]);
  // The opt-out is for anyone, signed in or not (people held as contacts have no account).
  if (isPublic) return <OptOutPage />;
  switch (state.status) {
    case 'loading':
      return (
        <main className="loading" aria-busy="true">
          <p>Loading…</p>
        </main>
      );
    case 'failed':
      return (
        <main className="sign-in">
          <h1>Wardroom</h1>
          <p className="error" role="alert">
            {describeError(state.error)}
          </p>
          <button type="button" onClick={() => void refresh()}>
            Try again
          </button>
        </main>
      );
    case 'signed-out':
      return <SignInPage />;
    case 'signed-in':
      return (
        <WorkspaceProvider me={state.me}>
          <Shell me={state.me}>
            <Page path={path} />
          </Shell>
        </WorkspaceProvider>
      );
  }
}

function Page(props: { readonly path: string }): ReactNode {
  const { current } = useWorkspace();
  const match = matchPage(props.path);
  const title = match?.page.title ?? 'Not found';
  useEffect(() => {
    document.title = `${title} · Wardroom`;
  }, [title]);
  if (match === undefined) {
    return (
      <section>
        <h1>Not found</h1>
        <p>There is no page here.</p>
      </section>
    );
  }
  const refusal = refusalFor(match.page, current);
  if (refusal !== undefined) {
    return (
      <section>
        <h1>{match.page.title}</h1>
        <p className="empty">{refusal}</p>
      </section>
    );
  }
  return match.page.render(match.params);
}

function refusalFor(
  page: PageDef,
  current: Me['memberships'][number] | undefined,
): string | undefined {
  if (page.needs === 'signed-in') return undefined;
  if (current === undefined) {
    return 'You are not a member of any workspace yet. Create one on the Workspaces page, or ask an owner to invite you.';
  }
  if (page.needs === 'workspace' || hasRole(current, page.needs)) return undefined;
  return `This page needs the ${page.needs} role or above in ${current.workspace_name}; your role is ${current.role}.`;
}
