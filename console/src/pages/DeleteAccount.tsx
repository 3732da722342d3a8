/**
 * "Delete my account": what it does, the pitfall the documentation warns
 * about (export first), the typed email, then the call. The server refuses
 * unless the sign-in is under 10 minutes old, and while the person is the
 * last owner of a workspace; both are worded here.
 */
import { useId, useState, type ReactNode } from 'react';
import { deleteAccount } from '../api/account';
import { useMe, useSession } from '../session';
import { ErrorLine, useSubmit } from '../ui/forms';

const SENTENCES: Readonly<Record<string, string>> = {
  reauthentication_required:
    'For your safety, sign out and sign in again (within the last 10 minutes), then delete your account.',
  confirmation_mismatch: 'The email typed is not the one you sign in with.',
  last_owner:
    'You are the last owner of a workspace. Make another member an owner, or delete the workspace, first.',
};

export function DeleteAccount(): ReactNode {
  const id = useId();
  const me = useMe();
  const session = useSession();
  const [typed, setTyped] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await deleteAccount(typed);
    await session.refresh();
  }, SENTENCES);
  const matches = typed.trim().toLowerCase() === me.user.email.toLowerCase();
  return (
    <div className="panel wide" role="region" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Delete my account</h2>
      <p>
        Your email address is replaced by a meaningless one, your name becomes “Deleted User” in
        every workspace, your language preference is cleared, and every session and API token of
        yours ends. This cannot be undone. What you wrote in a workspace stays that workspace’s; ask
        its owners for an access export first if you need a copy.
      </p>
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
          {busy ? 'Deleting…' : 'Delete my account'}
        </button>
        <ErrorLine id={`${id}-error`} error={error} />
      </form>
    </div>
  );
}
