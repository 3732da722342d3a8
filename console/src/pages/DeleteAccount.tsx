/**
 * "Delete my account": what it does, the pitfall the documentation warns
 * about (export first: whether an access export exists is shown), the typed
 * email, then the scheduling. The deletion waits out the cooling-off period
 * (7 days by default): meanwhile the account works and the panel shows the
 * date with a Cancel button. The server refuses unless the sign-in is under
 * 10 minutes old, and while the person is the last owner of a workspace;
 * both are worded here.
 */
import { useId, useState, type ReactNode } from 'react';
import { cancelDeletion, deleteAccount, deletionStatus, type DeletionStatus } from '../api/account';
import { Link } from '../router';
import { useMe } from '../session';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { formatTime } from './AccountTokens';

const SENTENCES: Readonly<Record<string, string>> = {
  reauthentication_required:
    'For your safety, sign out and sign in again (within the last 10 minutes), then delete your account.',
  confirmation_mismatch: 'The email typed is not the one you sign in with.',
  last_owner:
    'You are the last owner of a workspace. Make another member an owner, or delete the workspace, first.',
  deletion_already_scheduled: 'Your account is already scheduled for deletion.',
};

export function DeleteAccount(): ReactNode {
  const id = useId();
  const load = useLoad(deletionStatus, 'account-deletion');
  return (
    <div className="panel wide" role="region" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Delete my account</h2>
      <Loaded load={load} label="your account’s deletion">
        {(status) =>
          status.deletion?.state === 'pending' || status.deletion?.state === 'running' ? (
            <Pending status={status} reload={load.reload} />
          ) : (
            <Schedule status={status} reload={load.reload} />
          )
        }
      </Loaded>
    </div>
  );
}

function Pending(props: { readonly status: DeletionStatus; readonly reload: () => void }) {
  const id = useId();
  const deletion = props.status.deletion;
  const { busy, error, submit } = useSubmit(async () => {
    if (deletion !== null) await cancelDeletion(deletion.id);
    props.reload();
  }, SENTENCES);
  if (deletion === null) return null;
  return (
    <div className="confirm" role="status" aria-labelledby={`${id}-pending`}>
      <p id={`${id}-pending`}>
        <strong>Your account is scheduled for deletion</strong> after{' '}
        <time dateTime={deletion.runs_after}>{formatTime(deletion.runs_after)}</time>. Until then it
        works as usual, and you can cancel.
      </p>
      {deletion.state === 'pending' ? (
        <button type="button" disabled={busy} onClick={submit} aria-describedby={`${id}-error`}>
          {busy ? 'Cancelling…' : 'Cancel the deletion'}
        </button>
      ) : (
        <p>The deletion is running now.</p>
      )}
      <ErrorLine id={`${id}-error`} error={error} />
    </div>
  );
}

function ExportGuard(props: { readonly status: DeletionStatus }): ReactNode {
  const found = props.status.access_export;
  return found.exists && found.latest_at !== null ? (
    <p className="notice">
      An access export of your data exists (made{' '}
      <time dateTime={found.latest_at}>{formatTime(found.latest_at)}</time>).
    </p>
  ) : (
    <p>
      <strong>No access export yet.</strong> Deleting before exporting is the common mistake: once
      deleted, nothing can be recovered. Owners export a workspace on{' '}
      <Link to="/app/settings/residency">Data residency</Link>; otherwise ask a workspace’s owners
      for an access request first.
    </p>
  );
}

function Schedule(props: { readonly status: DeletionStatus; readonly reload: () => void }) {
  const id = useId();
  const me = useMe();
  const [typed, setTyped] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await deleteAccount(typed);
    props.reload();
  }, SENTENCES);
  const matches = typed.trim().toLowerCase() === me.user.email.toLowerCase();
  const days = props.status.cooling_off_days;
  return (
    <>
      <p>
        Your email address is replaced by a meaningless one, your name becomes “Deleted User” in
        every workspace, your language preference is cleared, and every session and API token of
        yours ends. What you wrote in a workspace stays that workspace’s. The deletion waits {days}{' '}
        days, during which your account works as usual and you can cancel; then it cannot be undone,
        and a receipt is emailed to you.
      </p>
      <ExportGuard status={props.status} />
      <form onSubmit={submit} aria-describedby={`${id}-error`}>
        <label htmlFor={`${id}-confirm`}>
          Type your email address ({me.user.email}) to confirm
        </label>
        <input
          id={`${id}-confirm`}
          type="email"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        <button type="submit" className="danger" disabled={busy || !matches}>
          {busy ? 'Scheduling…' : 'Delete my account'}
        </button>
        <ErrorLine id={`${id}-error`} error={error} />
      </form>
    </>
  );
}
