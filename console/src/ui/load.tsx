/**
 * Loading data for a page: `useLoad(fetcher, key)` gives the state, and
 * `<Loaded>` renders the loading line, the error sentence with a retry, or
 * the data. `reload()` fetches again (after a change the page made).
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { describeError } from '../errors';

export type LoadState<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly error: unknown }
  | { readonly status: 'loaded'; readonly data: T };

export interface Load<T> {
  readonly state: LoadState<T>;
  readonly reload: () => void;
}

type Settled<T> = Exclude<LoadState<T>, { status: 'loading' }>;

/**
 * Fetches when `key` changes (name in it everything the fetcher reads, such
 * as the workspace and the id) and on `reload()`; until the answer for the
 * current key arrives the state is `loading`, so a page never shows another
 * workspace's data.
 */
export function useLoad<T>(fetcher: () => Promise<T>, key: string): Load<T> {
  const latest = useRef(fetcher);
  const [generation, setGeneration] = useState(0);
  const [settled, setSettled] = useState<{ at: string; state: Settled<T> } | undefined>();
  useEffect(() => {
    latest.current = fetcher;
  });
  const at = `${String(generation)}:${key}`;
  useEffect(() => {
    let live = true;
    latest.current().then(
      (data) => live && setSettled({ at, state: { status: 'loaded', data } }),
      (error: unknown) => live && setSettled({ at, state: { status: 'failed', error } }),
    );
    return () => {
      live = false;
    };
  }, [at]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const state: LoadState<T> = settled?.at === at ? settled.state : { status: 'loading' };
  return { state, reload };
}

export function Loaded<T>(props: {
  readonly load: Load<T>;
  readonly label: string;
  readonly children: (data: T) => ReactNode;
}): ReactNode {
  const { state, reload } = props.load;
  switch (state.status) {
    case 'loading':
      return (
        <p className="loading" aria-busy="true">
          Loading {props.label}…
        </p>
      );
    case 'failed':
      return (
        <div className="error" role="alert">
          <p>{describeError(state.error)}</p>
          <button type="button" className="secondary" onClick={reload}>
            Try again
          </button>
        </div>
      );
    case 'loaded':
      return props.children(state.data);
  }
}
