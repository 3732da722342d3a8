/**
 * Managing one member: role, named roles (founder, finance_lead; only an
 * owner may change them, as the API rules), and removal after a
 * confirmation. Controls a caller may not use are not shown; the API
 * refuses them anyway.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { Membership } from '../api/account';
import {
  changeMember,
  NAMED_ROLES,
  removeMember,
  ROLES,
  type Member,
  type NamedRole,
} from '../api/members';
import type { Role } from '../roles';
import { ErrorLine, useSubmit } from '../ui/forms';

const namedRoleLabels: Readonly<Record<NamedRole, string>> = {
  founder: 'Founder',
  finance_lead: 'Finance lead',
};

interface Props {
  readonly membership: Membership;
  readonly member: Member;
  readonly onDone: () => void;
  readonly onCancel: () => void;
}

export function ManageMember(props: Props): ReactNode {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const label = props.member.display_name.trim() || props.member.email;
  return (
    <div className="panel manage" role="region" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
        Manage {label}
      </h2>
      <ChangeRoles {...props} />
      <RemoveMember {...props} />
      <p>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Close
        </button>
      </p>
    </div>
  );
}

function ChangeRoles(props: Props): ReactNode {
  const id = useId();
  const callerIsOwner = props.membership.role === 'owner';
  const [role, setRole] = useState<Role>(props.member.role);
  const [named, setNamed] = useState<readonly NamedRole[]>(props.member.named_roles);
  // Only an owner may make, unmake or demote an owner, or change named roles.
  const roleLocked = props.member.role === 'owner' && !callerIsOwner;
  const roles = ROLES.filter((r) => r !== 'owner' || callerIsOwner);
  const namedChanged =
    named.length !== props.member.named_roles.length ||
    named.some((n) => !props.member.named_roles.includes(n));
  const changed = role !== props.member.role || (callerIsOwner && namedChanged);
  const { busy, error, submit } = useSubmit(async () => {
    await changeMember(props.membership.workspace_id, props.member.user_id, {
      ...(role === props.member.role ? {} : { role }),
      ...(callerIsOwner && namedChanged ? { named_roles: named } : {}),
    });
    props.onDone();
  });
  const toggle = (n: NamedRole, on: boolean) =>
    setNamed((current) => (on ? [...current, n] : current.filter((x) => x !== n)));
  return (
    <form onSubmit={submit} aria-label={`Roles of ${props.member.email}`}>
      {roleLocked ? (
        <p>
          <strong>Role:</strong> owner (only an owner can change an owner&apos;s role)
        </p>
      ) : (
        <>
          <label htmlFor={`${id}-role`}>Role</label>
          <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </>
      )}
      <fieldset>
        <legend>Named roles</legend>
        {callerIsOwner ? (
          NAMED_ROLES.map((n) => (
            <label key={n} className="check">
              <input
                type="checkbox"
                checked={named.includes(n)}
                onChange={(e) => toggle(n, e.target.checked)}
              />{' '}
              {namedRoleLabels[n]}
            </label>
          ))
        ) : (
          <p>
            {props.member.named_roles.length === 0
              ? 'None.'
              : props.member.named_roles.map((n) => namedRoleLabels[n]).join(', ')}{' '}
            Only an owner can grant or take away named roles.
          </p>
        )}
      </fieldset>
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" disabled={busy || !changed}>
        {busy ? 'Saving…' : 'Save roles'}
      </button>
    </form>
  );
}

function RemoveMember(props: Props): ReactNode {
  const id = useId();
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const { busy, error, submit } = useSubmit(async () => {
    await removeMember(props.membership.workspace_id, props.member.user_id);
    props.onDone();
  });
  if (props.member.role === 'owner' && props.membership.role !== 'owner') return null;
  return (
    <div className="danger" aria-labelledby={`${id}-title`} role="group">
      <h3 id={`${id}-title`}>Remove from {props.membership.workspace_name}</h3>
      {confirming ? (
        <>
          <p>
            Remove {props.member.email} from {props.membership.workspace_name}? They lose access at
            once; their messages stay.
          </p>
          <div className="actions">
            <button ref={confirmButton} type="button" onClick={submit} disabled={busy}>
              {busy ? 'Removing…' : `Yes, remove ${props.member.email}`}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </>
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Remove member
        </button>
      )}
      <ErrorLine id={`${id}-error`} error={error} />
    </div>
  );
}
