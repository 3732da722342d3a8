/**
 * "Sessions and tokens": the person's signed-in sessions (this browser
 * marked), revoking one, signing out everywhere (confirmed first), and their
 * own API tokens in the current workspace (AccountTokens), and deleting
 * the account (DeleteAccount).
 */
import { useId, useState, type ReactNode } from 'react';
import { listSessions, revokeSession, signOutEverywhere, type SessionInfo } from '../api/tokens';
import { useSession } from '../session';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { AccountTokens, formatTime } from './AccountTokens';
import { DeleteAccount } from './DeleteAccount';

export function AccountPage(): ReactNode {
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Sessions and tokens</h1>
      <Sessions />
      <AccountTokens />
      <DeleteAccount />
    </section>
  );
}

function Sessions(): ReactNode {
  const load = useLoad(listSessions, 'sessions');
  return (
    <div className="panel wide" aria-labelledby="sessions-title" role="region">
      <h2 id="sessions-title">Where you are signed in</h2>
      <Loaded load={load} label="your sessions">
        {(sessions) => <SessionTable sessions={sessions} reload={load.reload} />}
      </Loaded>
      <SignOutEverywhere />
    </div>
  );
}

function SessionTable(props: {
  readonly sessions: readonly SessionInfo[];
  readonly reload: () => void;
}): ReactNode {
  if (props.sessions.length === 0) return <p className="empty">No live sessions.</p>;
  return (
    <table>
      <caption className="visually-hidden">Your signed-in sessions, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Browser</th>
          <th scope="col">Signed in</th>
          <th scope="col">Last active</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.sessions.map((s) => (
          <SessionRow key={s.id} session={s} reload={props.reload} />
        ))}
      </tbody>
    </table>
  );
}

function SessionRow(props: { readonly session: SessionInfo; readonly reload: () => void }) {
  const id = useId();
  const s = props.session;
  const { busy, error, submit } = useSubmit(async () => {
    await revokeSession(s.id);
    props.reload();
  });
  return (
    <tr>
      <td title={s.user_agent ?? undefined}>
        {describeAgent(s.user_agent)}
        {s.current ? <strong className="badge">This browser</strong> : null}
      </td>
      <td>{formatTime(s.created_at)}</td>
      <td>{formatTime(s.last_seen_at)}</td>
      <td>
        {s.current ? null : (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            aria-describedby={`${id}-error`}
            onClick={submit}
          >
            Sign out this session
          </button>
        )}
        <ErrorLine id={`${id}-error`} error={error} />
      </td>
    </tr>
  );
}

function SignOutEverywhere(): ReactNode {
  const id = useId();
  const session = useSession();
  const [confirming, setConfirming] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    await signOutEverywhere();
    await session.refresh();
  });
  if (!confirming) {
    return (
      <p>
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Sign out everywhere…
        </button>
      </p>
    );
  }
  return (
    <div className="confirm" role="group" aria-labelledby={`${id}-question`}>
      <p id={`${id}-question`}>
        Sign out of every session, this browser included? API tokens keep working.
      </p>
      <button type="button" disabled={busy} onClick={submit} autoFocus>
        {busy ? 'Signing out…' : 'Yes, sign out everywhere'}
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      <ErrorLine id={`${id}-error`} error={error} />
    </div>
  );
}

const BROWSERS: readonly (readonly [string, RegExp])[] = [
  ['Edge', /Edg\//],
  ['Firefox', /Firefox\//],
  ['Chrome', /Chrome\//],
  ['Safari', /Safari\//],
];
const SYSTEMS: readonly (readonly [string, RegExp])[] = [
  ['Windows', /Windows/],
  ['Android', /Android/],
  ['iOS', /iPhone|iPad/],
  ['macOS', /Mac OS X|Macintosh/],
  ['Linux', /Linux/],
];

/** A short name for a browser from its user agent ("Chrome on Linux"). */
export function describeAgent(agent: string | null): string {
  if (agent === null || agent === '') return 'Unknown browser';
  const browser = BROWSERS.find(([, pattern]) => pattern.test(agent))?.[0] ?? 'A browser';
  const system = SYSTEMS.find(([, pattern]) => pattern.test(agent))?.[0];
  return system === undefined ? browser : `${browser} on ${system}`;
}
