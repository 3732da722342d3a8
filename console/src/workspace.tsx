/**
 * The workspace the console is working in: chosen in the header's switcher,
 * remembered in localStorage, always one of the person's memberships (the
 * first when the remembered one is gone). Pages read it with useWorkspace().
 */
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import type { Me, Membership } from './api/account';

const STORAGE_KEY = 'wardroom.workspace';

export interface WorkspaceChoice {
  /** The current membership, or undefined when the person belongs to no workspace. */
  readonly current: Membership | undefined;
  readonly select: (workspaceId: string) => void;
}

const WorkspaceContext = createContext<WorkspaceChoice | undefined>(undefined);

function remembered(): string | undefined {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function WorkspaceProvider(props: {
  readonly me: Me;
  readonly children: ReactNode;
}): ReactNode {
  const [chosen, setChosen] = useState<string | undefined>(remembered);
  const { memberships } = props.me;
  const current = memberships.find((m) => m.workspace_id === chosen) ?? memberships[0];
  const select = useCallback((workspaceId: string) => {
    setChosen(workspaceId);
    try {
      window.localStorage.setItem(STORAGE_KEY, workspaceId);
    } catch {
      // Private windows may refuse storage: the choice lasts for this page only.
    }
  }, []);
  return (
    <WorkspaceContext.Provider value={{ current, select }}>
      {props.children}
    </WorkspaceContext.Provider>
  );
}

export function useWorkspace(): WorkspaceChoice {
  const choice = useContext(WorkspaceContext);
  if (choice === undefined) throw new Error('useWorkspace outside WorkspaceProvider');
  return choice;
}
