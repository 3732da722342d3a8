/**
 * The current workspace's members (admins and owners): the list, inviting
 * by email, changing a role, granting founder and finance_lead (owners
 * only, as the API rules), and removing someone after a confirmation.
 */
import { useId, useState, type ReactNode } from 'react';
import type { Membership } from '../api/account';
import { listMembers, type Member } from '../api/members';
import { Loaded, useLoad } from '../ui/load';
import { useMe } from '../session';
import { useWorkspace } from '../workspace';
import { InviteMember } from './members-invite';
import { ManageMember } from './members-manage';

export function MembersPage(): ReactNode {
  const { current } = useWorkspace();
  if (current === undefined) return null;
  return <Members key={current.workspace_id} membership={current} />;
}

function Members(props: { readonly membership: Membership }): ReactNode {
  const ws = props.membership.workspace_id;
  const load = useLoad(() => listMembers(ws), ws);
  const [managing, setManaging] = useState<string | undefined>();
  return (
    <section aria-labelledby="members-title">
      <h1 id="members-title">Members</h1>
      <Loaded load={load} label="members">
        {(members) => {
          const selected = members.find((m) => m.user_id === managing);
          return (
            <>
              <MemberTable members={members} onManage={setManaging} />
              {selected === undefined ? null : (
                <ManageMember
                  key={selected.user_id}
                  membership={props.membership}
                  member={selected}
                  onDone={() => {
                    setManaging(undefined);
                    load.reload();
                  }}
                  onCancel={() => setManaging(undefined)}
                />
              )}
            </>
          );
        }}
      </Loaded>
      <InviteMember membership={props.membership} onInvited={load.reload} />
    </section>
  );
}

function MemberTable(props: {
  readonly members: readonly Member[];
  readonly onManage: (userId: string) => void;
}): ReactNode {
  const me = useMe();
  const id = useId();
  if (props.members.length === 0) return <p className="empty">This workspace has no members.</p>;
  return (
    <table aria-describedby={`${id}-caption`}>
      <caption id={`${id}-caption`} className="visually-hidden">
        Members of this workspace, their roles and named roles
      </caption>
      <thead>
        <tr>
          <th scope="col">Email</th>
          <th scope="col">Display name</th>
          <th scope="col">Role</th>
          <th scope="col">Named roles</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.members.map((m) => (
          <tr key={m.user_id}>
            <td>
              {m.email}
              {m.user_id === me.user.id ? ' (you)' : ''}
            </td>
            <td>{m.display_name.trim() === '' ? '—' : m.display_name}</td>
            <td>{m.role}</td>
            <td>{m.named_roles.length === 0 ? '—' : m.named_roles.join(', ')}</td>
            <td>
              <button type="button" className="secondary" onClick={() => props.onManage(m.user_id)}>
                Manage<span className="visually-hidden"> {m.email}</span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
