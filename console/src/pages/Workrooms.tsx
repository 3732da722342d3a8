/** The current workspace's workrooms, and creating one (members and up). */
import { useId, useState, type ReactNode } from 'react';
import type { Membership } from '../api/account';
import { createWorkroom, listWorkrooms } from '../api/workrooms';
import { hasRole } from '../roles';
import { Link, navigate } from '../router';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { PagedList } from '../ui/paged-list';
import { useWorkspace } from '../workspace';

export function WorkroomsPage(): ReactNode {
  const { current } = useWorkspace();
  if (current === undefined) return null;
  return <Workrooms membership={current} />;
}

function Workrooms(props: { readonly membership: Membership }): ReactNode {
  const ws = props.membership.workspace_id;
  const load = useLoad(() => listWorkrooms(ws), ws);
  return (
    <section aria-labelledby="workrooms-title">
      <h1 id="workrooms-title">Workrooms</h1>
      <Loaded load={load} label="workrooms">
        {(page) =>
          page.items.length === 0 ? (
            <p className="empty">
              {props.membership.workspace_name} has no workrooms yet.
              {hasRole(props.membership, 'member') ? ' Create the first one below.' : ''}
            </p>
          ) : (
            <PagedList first={page} more={(cursor) => listWorkrooms(ws, cursor)} noun="workrooms">
              {(w) => (
                <>
                  <Link to={`/app/workrooms/${encodeURIComponent(w.id)}`}>{w.name}</Link>
                  <span className="meta">
                    created <time dateTime={w.created_at}>{formatDate(w.created_at)}</time>
                  </span>
                </>
              )}
            </PagedList>
          )
        }
      </Loaded>
      {hasRole(props.membership, 'member') ? <CreateWorkroom ws={ws} /> : null}
    </section>
  );
}

function CreateWorkroom(props: { readonly ws: string }): ReactNode {
  const id = useId();
  const [name, setName] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    const created = await createWorkroom(props.ws, name.trim());
    navigate(`/app/workrooms/${encodeURIComponent(created.id)}`);
  });
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Create a workroom</h2>
      <label htmlFor={`${id}-name`}>Workroom name</label>
      <input
        id={`${id}-name`}
        required
        maxLength={200}
        value={name}
        aria-describedby={`${id}-error`}
        onChange={(e) => setName(e.target.value)}
      />
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create workroom'}
      </button>
    </form>
  );
}

/** A date and time in the reader's own locale and time zone. */
export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
