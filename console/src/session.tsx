/**
 * Who is signed in: loaded once from GET /me, refreshed after sign-in,
 * cleared by sign-out. Pages read it through useSession().
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { fetchMe, signOut as apiSignOut, type Me } from './api/account';

export type SessionState =
  | { readonly status: 'loading' }
  | { readonly status: 'signed-out' }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'signed-in'; readonly me: Me };

export interface Session {
  readonly state: SessionState;
  readonly refresh: () => Promise<void>;
  readonly signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider(props: { readonly children: ReactNode }): ReactNode {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const refresh = useCallback(() => load().then(setState), []);
  const signOut = useCallback(async () => {
    await apiSignOut();
    setState({ status: 'signed-out' });
  }, []);
  useEffect(() => {
    let live = true;
    void load().then((loaded) => {
      if (live) setState(loaded);
    });
    return () => {
      live = false;
    };
  }, []);
  return (
    <SessionContext.Provider value={{ state, refresh, signOut }}>
      {props.children}
    </SessionContext.Provider>
  );
}

async function load(): Promise<SessionState> {
  try {
    const me = await fetchMe();
    return me === undefined ? { status: 'signed-out' } : { status: 'signed-in', me };
  } catch (error) {
    return { status: 'failed', error };
  }
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in person; only for components under the signed-in shell. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe outside a signed-in page');
  return state.me;
}
