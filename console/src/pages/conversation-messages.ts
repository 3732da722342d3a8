/**
 * A conversation's messages as the page holds them: oldest first, starting
 * from the latest page (the API's newest_first order), older pages loaded on
 * demand through its cursor, new ones merged in as they are posted here or
 * found by a quiet refresh of the latest page.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { listMessagesNewestFirst, type Message } from '../api/workrooms';

/** How often the page looks for messages others posted (the API has no push). */
const REFRESH_MS = 5000;

export type MessagesState =
  | { readonly status: 'loading' }
  | { readonly status: 'failed'; readonly error: unknown }
  | {
      readonly status: 'loaded';
      /** Oldest first. */
      readonly items: readonly Message[];
      /** The cursor to older messages, or null at the start of the conversation. */
      readonly older: string | null;
    };

export interface Messages {
  readonly state: MessagesState;
  readonly retry: () => void;
  readonly loadOlder: () => Promise<void>;
  readonly add: (message: Message) => void;
}

/** Merges messages by id, oldest first (ids are UUIDv7: their order is creation order). */
function merge(a: readonly Message[], b: readonly Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const m of [...a, ...b]) byId.set(m.id, m);
  return [...byId.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

export function useMessages(ws: string, conversationId: string): Messages {
  const [state, setState] = useState<MessagesState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const live = useRef(true);
  useEffect(() => {
    // This run's answers only: a slow answer for an earlier run is dropped.
    let active = true;
    live.current = true;
    listMessagesNewestFirst(ws, conversationId).then(
      (page) =>
        active &&
        setState({ status: 'loaded', items: merge([], page.items), older: page.next_cursor }),
      (error: unknown) => active && setState({ status: 'failed', error }),
    );
    const timer = window.setInterval(() => {
      listMessagesNewestFirst(ws, conversationId).then(
        (page) =>
          active &&
          setState((s) =>
            s.status === 'loaded' ? { ...s, items: merge(s.items, page.items) } : s,
          ),
        // A failed refresh changes nothing; the next one tries again.
        () => undefined,
      );
    }, REFRESH_MS);
    return () => {
      active = false;
      live.current = false;
      window.clearInterval(timer);
    };
  }, [ws, conversationId, attempt]);
  const older = state.status === 'loaded' ? state.older : null;
  const loadOlder = useCallback(async () => {
    if (older === null) return;
    const page = await listMessagesNewestFirst(ws, conversationId, older);
    if (!live.current) return;
    setState((s) =>
      s.status === 'loaded'
        ? { status: 'loaded', items: merge(page.items, s.items), older: page.next_cursor }
        : s,
    );
  }, [ws, conversationId, older]);
  const add = useCallback((message: Message) => {
    setState((s) => (s.status === 'loaded' ? { ...s, items: merge(s.items, [message]) } : s));
  }, []);
  // The page keys this hook's component by workspace and conversation, so only a retry starts over.
  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((a) => a + 1);
  }, []);
  return { state, retry, loadOlder, add };
}
