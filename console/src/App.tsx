/** Chooses the page: sign-in without a session, else the shell and the page for the path. */
import { useEffect, type ReactNode } from 'react';
import { describeError } from './errors';
import { WorkspacesPage } from './pages/Workspaces';
import { SignInPage } from './pages/SignIn';
import { navigate, usePath } from './router';
import { useSession } from './session';
import { Shell } from './Shell';

export function App(): ReactNode {
  const { state, refresh } = useSession();
  const path = usePath();
  const signedIn = state.status === 'signed-in';
  useEffect(() => {
    if (signedIn && !path.startsWith('/app/')) navigate('/app/workspaces', { replace: true });
  }, [signedIn, path]);
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
        <Shell me={state.me}>
          {path === '/app/workspaces' || !path.startsWith('/app/') ? (
            <WorkspacesPage me={state.me} />
          ) : (
            <section>
              <h1>Not found</h1>
              <p>There is no page here.</p>
            </section>
          )}
        </Shell>
      );
  }
}
