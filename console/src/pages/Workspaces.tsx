/** The signed-in person's workspaces (from GET /me), and creating a new one. */
import { useId, useState, type ReactNode } from 'react';
import { createWorkspace, REGIONS, type Region } from '../api/account';
import { useMe, useSession } from '../session';
import { ErrorLine, useSubmit } from '../ui/forms';
import { useWorkspace } from '../workspace';

export function WorkspacesPage(): ReactNode {
  const { memberships } = useMe();
  return (
    <section aria-labelledby="workspaces-title">
      <h1 id="workspaces-title">Workspaces</h1>
      {memberships.length === 0 ? (
        <p className="empty">
          You are not a member of any workspace yet. Create one below, or ask a workspace owner to
          invite you.
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
      <CreateWorkspace />
    </section>
  );
}

const regionNames: Readonly<Record<Region, string>> = {
  us: 'United States (Virginia)',
  eu: 'European Union (Frankfurt)',
  'me-south': 'Middle East (Bahrain)',
  'ap-northeast': 'Asia Pacific (Tokyo)',
};

function CreateWorkspace(): ReactNode {
  const id = useId();
  const session = useSession();
  const { select } = useWorkspace();
  const [name, setName] = useState('');
  const [region, setRegion] = useState<Region>('us');
  const { busy, error, submit } = useSubmit(async () => {
    const created = await createWorkspace(name.trim(), region);
    select(created.workspace_id);
    setName('');
    await session.refresh();
  });
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Create a workspace</h2>
      <p>You become its owner. Its data is tagged with the region you choose.</p>
      <label htmlFor={`${id}-name`}>Workspace name</label>
      <input
        id={`${id}-name`}
        required
        maxLength={200}
        value={name}
        aria-describedby={`${id}-error`}
        onChange={(e) => setName(e.target.value)}
      />
      <label htmlFor={`${id}-region`}>Data region</label>
      <select
        id={`${id}-region`}
        value={region}
        onChange={(e) => setRegion(e.target.value as Region)}
      >
        {REGIONS.map((r) => (
          <option key={r} value={r}>
            {regionNames[r]}
          </option>
        ))}
      </select>
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create workspace'}
      </button>
    </form>
  );
}
