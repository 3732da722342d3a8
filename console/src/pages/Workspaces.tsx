/** The signed-in person's workspaces, from GET /me. */
import type { ReactNode } from 'react';
import type { Me } from '../api';

export function WorkspacesPage(props: { readonly me: Me }): ReactNode {
  const { memberships } = props.me;
  return (
    <section aria-labelledby="workspaces-title">
      <h1 id="workspaces-title">Workspaces</h1>
      {memberships.length === 0 ? (
        <p className="empty">
          You are not a member of any workspace yet. Ask a workspace owner to add you.
        </p>
      ) : (
        <table>
          <caption className="visually-hidden">Your workspaces and your role in each</caption>
          <thead>
            <tr>
              <th scope="col">Workspace</th>
              <th scope="col">Role</th>
              <th scope="col">Named roles</th>
            </tr>
          </thead>
          <tbody>
            {memberships.map((m) => (
              <tr key={m.workspace_id}>
                <td>{m.workspace_name}</td>
                <td>{m.role}</td>
                <td>{m.named_roles.length === 0 ? '—' : m.named_roles.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
