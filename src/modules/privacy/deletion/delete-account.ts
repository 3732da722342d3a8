/**
 * "Delete my account": the signed-in person deletes themselves, outside the
 * request flow. Three checks first, all made by one definer function on the
 * session's token hash (so nothing here acts without the person's secret):
 * the session began at most `freshSeconds` ago (a stolen, long-lived
 * session cannot do it: `reauthentication_required`), the typed email is
 * theirs (`confirmation_mismatch`), and they are not the last owner of a
 * live workspace (`last_owner`: it would be orphaned). Then
 * pseudonymiseUser, acting as the person in each workspace's audit log.
 */
import { AppError } from '../../../base/errors.js';
import { userPrincipal, type RequestOrigin } from '../../../db/principal.js';
import { sessionHash, type Session } from '../../auth/index.js';
import { pseudonymiseUser, type DeletionDeps, type Pseudonymised } from './pseudonymise.js';

/** How recent the sign-in must be, by default: ten minutes. */
export const DEFAULT_FRESH_SIGN_IN_SECONDS = 600;

interface CheckRow {
  status: 'ok' | 'reauthentication_required' | 'confirmation_mismatch' | 'last_owner';
  user_id: string;
  workspaces?: string[];
}

export async function deleteOwnAccount(
  deps: DeletionDeps & { readonly freshSeconds?: number | undefined },
  session: Session,
  confirmEmail: string,
  origin: RequestOrigin,
): Promise<Pseudonymised> {
  const [row] = await deps.db.withSystem('privacy: check a deletion of one’s account', (tx) =>
    tx.call(
      'auth_delete_account_check',
      sessionHash(session.token),
      deps.freshSeconds ?? DEFAULT_FRESH_SIGN_IN_SECONDS,
      confirmEmail.trim(),
    ),
  );
  const check = row as CheckRow | null | undefined;
  if (check === null || check === undefined) {
    throw new AppError(
      'unauthenticated',
      'Sign in again: the session is missing, expired or revoked',
    );
  }
  switch (check.status) {
    case 'reauthentication_required':
      throw new AppError(
        'reauthentication_required',
        'Sign in again to delete your account: your sign-in must be less than 10 minutes old',
      );
    case 'confirmation_mismatch':
      throw new AppError('confirmation_mismatch', 'Type the email address you sign in with');
    case 'last_owner':
      throw new AppError(
        'last_owner',
        `You are the last owner of ${String(check.workspaces?.length ?? 0)} workspace(s): make someone else an owner, or delete the workspace, first`,
      );
    case 'ok':
      break;
  }
  const done = await pseudonymiseUser(
    deps,
    check.user_id,
    (ws) => userPrincipal(ws, check.user_id, origin),
    'account_deleted',
  );
  if (done === null) throw new AppError('not_found', 'Account not found');
  return done;
}
