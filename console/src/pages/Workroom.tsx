/** One workroom: its conversations, its export as .docx, and starting one (members and up). */
import { useId, useState, type ReactNode } from 'react';
import type { Membership } from '../api/account';
import {
  createConversation,
  getWorkroom,
  listConversations,
  workroomDocxUrl,
} from '../api/workrooms';
import { hasRole } from '../roles';
import { Link, navigate } from '../router';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { PagedList } from '../ui/paged-list';
import { useWorkspace } from '../workspace';
import { formatDate } from './Workrooms';

export function WorkroomPage(props: { readonly id: string }): ReactNode {
  const { current } = useWorkspace();
  if (current === undefined) return null;
  return <Workroom membership={current} id={props.id} />;
}

function Workroom(props: { readonly membership: Membership; readonly id: string }): ReactNode {
  const ws = props.membership.workspace_id;
  const load = useLoad(async () => {
    const [workroom, conversations] = await Promise.all([
      getWorkroom(ws, props.id),
      listConversations(ws, props.id),
    ]);
    return { workroom, conversations };
  }, `${ws}/${props.id}`);
  return (
    <section aria-labelledby="workroom-title">
      <p className="breadcrumb">
        <Link to="/app/workrooms">Workrooms</Link>
      </p>
      <Loaded load={load} label="the workroom">
        {({ workroom, conversations }) => (
          <>
            <h1 id="workroom-title">{workroom.name}</h1>
            <p className="actions">
              <a className="button-link" href={workroomDocxUrl(ws, workroom.id)} download>
                Export .docx
              </a>
              <span className="meta">
                {' '}
                The conversations and their messages as a Word document.
              </span>
            </p>
            <h2>Conversations</h2>
            {conversations.items.length === 0 ? (
              <p className="empty">
                No conversations in this workroom yet.
                {hasRole(props.membership, 'member') ? ' Start one below.' : ''}
              </p>
            ) : (
              <PagedList
                first={conversations}
                more={(cursor) => listConversations(ws, workroom.id, cursor)}
                noun="conversations"
              >
                {(c) => (
                  <>
                    <Link to={`/app/conversations/${encodeURIComponent(c.id)}`}>
                      {c.title ?? 'Untitled conversation'}
                    </Link>
                    <span className="meta">
                      started <time dateTime={c.created_at}>{formatDate(c.created_at)}</time>
                    </span>
                  </>
                )}
              </PagedList>
            )}
            {hasRole(props.membership, 'member') ? (
              <StartConversation ws={ws} workroomId={workroom.id} />
            ) : null}
          </>
        )}
      </Loaded>
    </section>
  );
}

function StartConversation(props: { readonly ws: string; readonly workroomId: string }): ReactNode {
  const id = useId();
  const [title, setTitle] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    const trimmed = title.trim();
    const created = await createConversation(
      props.ws,
      props.workroomId,
      trimmed === '' ? null : trimmed,
    );
    navigate(`/app/conversations/${encodeURIComponent(created.id)}`);
  });
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Start a conversation</h2>
      <label htmlFor={`${id}-name`}>Conversation title (optional)</label>
      <input
        id={`${id}-name`}
        maxLength={200}
        value={title}
        aria-describedby={`${id}-error`}
        onChange={(e) => setTitle(e.target.value)}
      />
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Starting…' : 'Start conversation'}
      </button>
    </form>
  );
}
