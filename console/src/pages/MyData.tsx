/**
 * My data (every member of the workspace): the personal export of what you
 * wrote here and what the workspace records about you, with its state and
 * a Download link once completed.
 */
import type { ReactNode } from 'react';
import { useWorkspace } from '../workspace';
import { ExportsPanel } from './exports-panel';

export function MyDataPage(): ReactNode {
  const { current } = useWorkspace();
  if (current === undefined) return null;
  return (
    <section aria-labelledby="my-data-title">
      <h1 id="my-data-title">My data</h1>
      <ExportsPanel key={current.workspace_id} ws={current.workspace_id} scope="personal" />
    </section>
  );
}
