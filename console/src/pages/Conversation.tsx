/**
 * One conversation: its messages (the latest first loaded, older ones on
 * demand, new ones appear without a reload), the composer and "Ask an agent"
 * (members and up), whose reply streams in (ask-agent.tsx).
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Membership } from '../api/account';
import { listMembers } from '../api/members';
import { describeError } from '../errors';
import { getConversation, getWorkroom, postMessage, type Message } from '../api/workrooms';
import { hasRole } from '../roles';
import { Link } from '../router';
import { useMe } from '../session';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { useWorkspace } from '../workspace';
import { AskAgent } from './ask-agent';
import { useMessages, type Messages } from './conversation-messages';
import { formatDate } from './Workrooms';

export function ConversationPage(props: { readonly id: string }): ReactNode {
  const { current } = useWorkspace();
  if (current === undefined) return null;
  return (
    <Conversation key={`${current.workspace_id}/${props.id}`} membership={current} id={props.id} />
  );
}

function Conversation(props: { readonly membership: Membership; readonly id: string }): ReactNode {
  const ws = props.membership.workspace_id;
  const load = useLoad(async () => {
    const conversation = await getConversation(ws, props.id);
    return { conversation, workroom: await getWorkroom(ws, conversation.workroom_id) };
  }, `${ws}/${props.id}`);
  return (
    <section aria-labelledby="conversation-title">
      <Loaded load={load} label="the conversation">
        {({ conversation, workroom }) => (
          <>
            <p className="breadcrumb">
              <Link to="/app/workrooms">Workrooms</Link>
              {' › '}
              <Link to={`/app/workrooms/${encodeURIComponent(conversation.workroom_id)}`}>
                {workroom.name}
              </Link>
            </p>
            <h1 id="conversation-title">{conversation.title ?? 'Untitled conversation'}</h1>
            <Thread membership={props.membership} conversationId={conversation.id} />
          </>
        )}
      </Loaded>
    </section>
  );
}

function Thread(props: {
  readonly membership: Membership;
  readonly conversationId: string;
}): ReactNode {
  const ws = props.membership.workspace_id;
  const messages = useMessages(ws, props.conversationId);
  const authorName = useAuthorNames(props.membership);
  const me = useMe();
  return (
    <>
      <MessageList messages={messages} authorName={authorName} />
      {hasRole(props.membership, 'member') ? (
        <>
          <Composer ws={ws} conversationId={props.conversationId} onPosted={messages.add} />
          <AskAgent
            ws={ws}
            conversationId={props.conversationId}
            userId={me.user.id}
            onMessage={messages.add}
          />
        </>
      ) : (
        <p className="empty">
          Your role ({props.membership.role}) can read this conversation but not post.
        </p>
      )}
    </>
  );
}

/**
 * Names for authors: "You", and for an admin (who may list members) each
 * member's display name or email; others see "A member".
 */
function useAuthorNames(membership: Membership): (m: Message) => string {
  const me = useMe();
  const ws = membership.workspace_id;
  const admin = hasRole(membership, 'admin');
  const members = useLoad(
    () => (admin ? listMembers(ws) : Promise.resolve([])),
    `${ws}/${String(admin)}`,
  );
  return (m) => {
    if (m.author_type !== 'user') return m.author_type === 'agent' ? 'Agent' : 'Wardroom';
    if (m.author_id === me.user.id) return 'You';
    if (members.state.status === 'loaded') {
      const member = members.state.data.find((x) => x.user_id === m.author_id);
      if (member !== undefined) return member.display_name.trim() || member.email;
    }
    return 'A member';
  };
}

function MessageList(props: {
  readonly messages: Messages;
  readonly authorName: (m: Message) => string;
}): ReactNode {
  const { state, retry, loadOlder } = props.messages;
  if (state.status === 'loading') {
    return (
      <p className="loading-inline" aria-busy="true">
        Loading messages…
      </p>
    );
  }
  if (state.status === 'failed') {
    return (
      <div className="error" role="alert">
        <p>{describeError(state.error)}</p>
        <button type="button" className="secondary" onClick={retry}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <div className="thread">
      <OlderMessages more={state.older !== null} loadOlder={loadOlder} />
      <div role="log" aria-label="Messages">
        {state.items.length === 0 ? (
          <p className="empty">No messages yet.</p>
        ) : (
          <ol className="messages">
            {state.items.map((m) => (
              <li key={m.id}>
                <p className="meta">
                  <strong>{props.authorName(m)}</strong>{' '}
                  <time dateTime={m.created_at}>{formatDate(m.created_at)}</time>
                </p>
                <p className="content">{m.content}</p>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}

/**
 * "Load older messages" while there are some. The button stays enabled while
 * busy (a disabled button would drop keyboard focus); when the last older
 * page arrives, focus moves to the "start of the conversation" line.
 */
function OlderMessages(props: {
  readonly more: boolean;
  readonly loadOlder: () => Promise<void>;
}): ReactNode {
  const { busy, error, submit } = useSubmit(props.loadOlder);
  const [asked, setAsked] = useState(false);
  const start = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (asked && !props.more) start.current?.focus();
  }, [asked, props.more]);
  if (!props.more) {
    return asked ? (
      <p ref={start} tabIndex={-1} className="meta">
        This is the start of the conversation.
      </p>
    ) : null;
  }
  const onClick = () => {
    if (busy) return;
    setAsked(true);
    submit();
  };
  return (
    <>
      <p>
        <button type="button" className="secondary" onClick={onClick} aria-disabled={busy}>
          {busy ? 'Loading older messages…' : 'Load older messages'}
        </button>
      </p>
      {error === undefined ? null : (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function Composer(props: {
  readonly ws: string;
  readonly conversationId: string;
  readonly onPosted: (m: Message) => void;
}): ReactNode {
  const id = useId();
  const [content, setContent] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    const posted = await postMessage(props.ws, props.conversationId, content);
    props.onPosted(posted);
    setContent('');
  });
  // Ctrl+Enter (or Cmd+Enter) posts, as in most chat tools; Enter alone makes a new line.
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && content.trim() !== '' && !busy) submit(e);
  };
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="visually-hidden">
        Post a message
      </h2>
      <label htmlFor={`${id}-content`}>Message</label>
      <textarea
        id={`${id}-content`}
        required
        maxLength={100_000}
        rows={3}
        value={content}
        aria-describedby={`${id}-hint ${id}-error`}
        onChange={(e) => setContent(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <p id={`${id}-hint`} className="hint">
        Ctrl+Enter posts. Messages are stored encrypted under the workspace key.
      </p>
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Posting…' : 'Post message'}
      </button>
    </form>
  );
}
