/**
 * The Activity page: the workspace's audit events, newest first, narrowed by
 * the filters the API supports, paged with "Load more", and the whole log
 * downloadable as CSV or JSONL (same-origin links: the session cookie goes
 * with them, and the file verifies offline with `wardroom audit verify`).
 */
import { useId, useState, type ReactNode, type SyntheticEvent } from 'react';
import {
  ACTOR_TYPES,
  exportUrl,
  listActivity,
  type ActivityFilters,
  type ActivityPage,
  type ActorType,
  type AuditEvent,
} from '../api/activity';
import { useMe } from '../session';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { useWorkspace } from '../workspace';
import { actionLabel } from './activity-labels';

export function ActivityPage(): ReactNode {
  const { current } = useWorkspace();
  const ws = current?.workspace_id ?? '';
  const [filters, setFilters] = useState<ActivityFilters>({});
  const key = `${ws} ${JSON.stringify(filters)}`;
  const load = useLoad(() => listActivity(ws, filters), key);
  return (
    <section aria-labelledby="activity-title">
      <h1 id="activity-title">Activity</h1>
      <p>
        Everything that happened in {current?.workspace_name}, newest first: who did what, to what,
        and when. Each entry is linked to the one before it, so the exported log can be verified.
      </p>
      <Exports workspaceId={ws} />
      <Filters onApply={setFilters} />
      <Loaded load={load} label="activity">
        {(first) => (
          <Events
            key={key}
            first={first}
            filtered={Object.keys(filters).length > 0}
            more={(cursor) => listActivity(ws, filters, cursor)}
          />
        )}
      </Loaded>
    </section>
  );
}

function Exports(props: { readonly workspaceId: string }): ReactNode {
  return (
    <div className="panel">
      <h2>Export the log</h2>
      <p>
        The whole log, oldest first, with its hash chain, up to its newest signed checkpoint. Check
        a download with <code>wardroom audit verify --file</code>.
      </p>
      <p className="actions">
        <a className="button-link" href={exportUrl(props.workspaceId, 'csv')} download>
          Export CSV
        </a>
        <a className="button-link" href={exportUrl(props.workspaceId, 'jsonl')} download>
          Export JSONL
        </a>
      </p>
    </div>
  );
}

/** A datetime-local value (the browser's time zone) as an ISO instant, or undefined. */
function instant(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function Filters(props: { readonly onApply: (filters: ActivityFilters) => void }): ReactNode {
  const id = useId();
  const [action, setAction] = useState('');
  const [actorType, setActorType] = useState<ActorType | ''>('');
  const [actorId, setActorId] = useState('');
  const [targetType, setTargetType] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const apply = (event: SyntheticEvent) => {
    event.preventDefault();
    const chosen: Record<string, string | undefined> = {
      action: action.trim(),
      actor_type: actorType,
      actor_id: actorId.trim(),
      target_type: targetType.trim(),
      from: instant(from),
      to: instant(to),
    };
    const set = Object.entries(chosen).filter(([, v]) => v !== undefined && v !== '');
    props.onApply(Object.fromEntries(set));
  };
  const field = (name: string, label: string, control: ReactNode, hint?: string) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      {control}
      {hint === undefined ? null : (
        <span className="hint" id={`${id}-${name}-hint`}>
          {hint}
        </span>
      )}
    </div>
  );
  return (
    <form className="filters" onSubmit={apply} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Filter</h2>
      <div className="filter-grid">
        {field(
          'action',
          'Action',
          <input
            id={`${id}-action`}
            value={action}
            maxLength={100}
            aria-describedby={`${id}-action-hint`}
            onChange={(e) => setAction(e.target.value)}
          />,
          'An action such as integration_credential.created, or a prefix such as integration_credential.*',
        )}
        {field(
          'actor-type',
          'Actor type',
          <select
            id={`${id}-actor-type`}
            value={actorType}
            onChange={(e) => setActorType(e.target.value as ActorType | '')}
          >
            <option value="">Any</option>
            {ACTOR_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>,
        )}
        {field(
          'actor-id',
          'Actor id',
          <input
            id={`${id}-actor-id`}
            value={actorId}
            maxLength={200}
            onChange={(e) => setActorId(e.target.value)}
          />,
        )}
        {field(
          'target-type',
          'Target type',
          <input
            id={`${id}-target-type`}
            value={targetType}
            maxLength={100}
            onChange={(e) => setTargetType(e.target.value)}
          />,
        )}
        {field(
          'from',
          'From',
          <input
            id={`${id}-from`}
            type="datetime-local"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />,
        )}
        {field(
          'to',
          'Before',
          <input
            id={`${id}-to`}
            type="datetime-local"
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />,
        )}
      </div>
      <button type="submit">Apply filters</button>
    </form>
  );
}

function Events(props: {
  readonly first: ActivityPage;
  readonly filtered: boolean;
  readonly more: (cursor: string) => Promise<ActivityPage>;
}): ReactNode {
  const id = useId();
  const [items, setItems] = useState<readonly AuditEvent[]>(props.first.items);
  const [cursor, setCursor] = useState(props.first.next_cursor);
  const { busy, error, submit } = useSubmit(async () => {
    if (cursor === null) return;
    const page = await props.more(cursor);
    setItems((before) => [...before, ...page.items]);
    setCursor(page.next_cursor);
  });
  if (items.length === 0) {
    return (
      <p className="empty">
        {props.filtered ? 'No events match these filters.' : 'Nothing has happened here yet.'}
      </p>
    );
  }
  return (
    <>
      <EventTable events={items} />
      {cursor === null ? (
        <p className="empty">That is every event{props.filtered ? ' matching the filters' : ''}.</p>
      ) : (
        <p className="actions">
          <button type="button" className="secondary" onClick={submit} disabled={busy}>
            {busy ? 'Loading…' : 'Load more'}
          </button>
        </p>
      )}
      <ErrorLine id={`${id}-error`} error={error} />
    </>
  );
}

function EventTable(props: { readonly events: readonly AuditEvent[] }): ReactNode {
  const { user } = useMe();
  const actor = (e: AuditEvent): string =>
    e.actor_type === 'user' && e.actor_id === user.id
      ? `you (${user.email})`
      : (e.personal.actor_name ?? e.actor_name ?? e.actor_id ?? '—');
  return (
    <table className="events">
      <caption className="visually-hidden">Audit events, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Details</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        {props.events.map((e) => (
          <tr key={e.seq}>
            <td>
              <time dateTime={e.occurred_at}>{new Date(e.occurred_at).toLocaleString()}</time>
            </td>
            <td>
              {actor(e)}
              <span className="hint"> ({e.actor_type})</span>
            </td>
            <td>
              {actionLabel(e.action) === undefined ? null : <>{actionLabel(e.action)}: </>}
              <code>{e.action}</code>
            </td>
            <td>{targetsText(e.targets)}</td>
            <td>{detailsText(e.metadata)}</td>
            <td>{originText(e.personal)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Where the actor acted from (IP, browser), or that the person was erased. */
function originText(personal: AuditEvent['personal']): string {
  const { ip, user_agent: agent } = personal;
  if (ip === '[erased]' || agent === '[erased]') return 'erased';
  const parts = [ip, agent?.slice(0, 40)].filter((p) => p !== undefined);
  return parts.length === 0 ? '—' : parts.join(' · ');
}

function targetsText(targets: readonly unknown[]): string {
  const parts = targets.map((t) => {
    if (typeof t !== 'object' || t === null) return String(t);
    const { type, id } = t as { type?: unknown; id?: unknown };
    const kind = typeof type === 'string' ? type : '?';
    // The end of the id: a UUIDv7 starts with its time, so its start is shared by neighbours.
    return `${kind} ${typeof id === 'string' ? `…${id.slice(-8)}` : ''}`.trim();
  });
  return parts.length === 0 ? '—' : parts.join(', ');
}

/** The event's scalar metadata (outcome, format, columns changed…), shortened. */
function detailsText(metadata: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (parts.length === 4) break;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      parts.push(`${key}: ${String(value).slice(0, 60)}`);
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      parts.push(`${key}: ${value.join(', ').slice(0, 60)}`);
    }
  }
  return parts.length === 0 ? '—' : parts.join('; ');
}
