/**
 * The banner every signed-in page shows while the person's account waits
 * out its deletion's cooling-off period: the date, and where to cancel.
 * Read again on each page change, so it follows a scheduling or a cancel.
 */
import type { ReactNode } from 'react';
import { deletionStatus } from '../api/account';
import { formatTime } from '../pages/AccountTokens';
import { Link, usePath } from '../router';
import { useLoad } from './load';

export function DeletionBanner(): ReactNode {
  const path = usePath();
  const load = useLoad(deletionStatus, `deletion-banner:${path}`);
  if (load.state.status !== 'loaded') return null;
  const deletion = load.state.data.deletion;
  if (deletion?.state !== 'pending') return null;
  return (
    <p className="deletion-banner" role="status">
      Your account will be deleted after{' '}
      <time dateTime={deletion.runs_after}>{formatTime(deletion.runs_after)}</time>.{' '}
      <Link to="/app/account">Cancel the deletion</Link>
    </p>
  );
}
