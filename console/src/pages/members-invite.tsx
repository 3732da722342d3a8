/** Inviting someone by email with a role; the API emails them and says whether it went out. */
import { useId, useState, type ReactNode } from 'react';
import type { Membership } from '../api/account';
import { inviteMember, ROLES, type Invited } from '../api/members';
import { describeError } from '../errors';
import { ApiError } from '../api/client';
import type { Role } from '../roles';
import { ErrorLine, useSubmit } from '../ui/forms';

const inviteSentences = { conflict: 'That person is already a member of this workspace.' };

export function InviteMember(props: {
  readonly membership: Membership;
  readonly onInvited: () => void;
}): ReactNode {
  const id = useId();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [done, setDone] = useState<Invited | undefined>();
  // Only an owner may make another owner (the API refuses it to admins).
  const roles = ROLES.filter((r) => r !== 'owner' || props.membership.role === 'owner');
  const { busy, error, submit } = useSubmit(async () => {
    setDone(undefined);
    const name = displayName.trim();
    const invited = await inviteMember(props.membership.workspace_id, {
      email: email.trim(),
      role,
      ...(name === '' ? {} : { display_name: name }),
    });
    setDone(invited);
    setEmail('');
    setDisplayName('');
    props.onInvited();
  }, inviteSentences);
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Invite someone</h2>
      <p>They get an email, and join by signing in with a code sent to that address.</p>
      <label htmlFor={`${id}-email`}>Email address</label>
      <input
        id={`${id}-email`}
        type="email"
        required
        maxLength={320}
        autoComplete="off"
        value={email}
        aria-describedby={`${id}-error`}
        onChange={(e) => setEmail(e.target.value)}
      />
      <label htmlFor={`${id}-name`}>Display name (optional)</label>
      <input
        id={`${id}-name`}
        maxLength={200}
        value={displayName}
        onChange={(e) => setDisplayName(e.target.value)}
      />
      <label htmlFor={`${id}-role`}>Role</label>
      <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <ErrorLine id={`${id}-error`} error={error} />
      {done === undefined ? null : (
        <p className="notice" role="status">
          {inviteOutcome(done)}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Inviting…' : 'Invite'}
      </button>
    </form>
  );
}

function inviteOutcome(invited: Invited): string {
  const { sent, error_code } = invited.invitation_email;
  if (sent)
    return `Invited ${invited.email} as ${invited.role}. The invitation email is on its way.`;
  const why =
    error_code === null ? '' : ` ${describeError(new ApiError(error_code, 0, error_code))}`;
  return `Invited ${invited.email} as ${invited.role}, but the invitation email was not sent.${why} They can still sign in with a code.`;
}
