/**
 * "Delete my account": the signed-in person schedules their own deletion,
 * outside the request flow. Three checks first, all made by one definer
 * function on the session's token hash (so nothing here acts without the
 * person's secret): the session began at most `freshSeconds` ago (a stolen,
 * long-lived session cannot do it: `reauthentication_required`), the typed
 * email is theirs (`confirmation_mismatch`), and they are not the last owner
 * of a live workspace (`last_owner`: it would be orphaned). Then, in the
 * same transaction, the deletion is scheduled to run after the cooling-off
 * period, with the address for the receipt sealed. The account stays usable
 * until then and the person may cancel; the sweep (sweep.ts) runs it.
 */
import { AppError } from '../../../base/errors.js';
import type { Clock } from '../../../base/clock.js';
import { userPrincipal, type RequestOrigin } from '../../../db/principal.js';
import { sessionHash, type Session } from '../../auth/index.js';
import type { Mailer } from '../../mail/index.js';
import {
  personExportEvidence,
  type AccessExportLookup,
  type ExportEvidence,
} from './export-guard.js';
import { recordInEach, sendDeletionMail } from './events.js';
import type { DeletionDeps } from './pseudonymise.js';
import { userWorkspaces } from './pseudonymise.js';
import { sealReceiptAddress } from './receipt-seal.js';
import {
  latestDeletion,
  notPending,
  runsAfter,
  scheduledOrThrow,
  scheduleParams,
  toDeletionView,
  type DeletionView,
} from './scheduled.js';

/** How recent the sign-in must be, by default: ten minutes. */
export const DEFAULT_FRESH_SIGN_IN_SECONDS = 600;
/** The cooling-off period, by default: seven days. */
export const DEFAULT_COOLING_OFF_DAYS = 7;

/** What scheduling, cancelling and running a deletion need. */
export interface CoolingDeps extends DeletionDeps {
  readonly clock: Clock;
  readonly coolingOffDays: number;
  /** Seals the receipt's address (receipt-seal.ts). */
  readonly receiptKey: Buffer;
  /** The scheduled, cancelled and receipt emails; without it none is sent. */
  readonly mailer?: Pick<Mailer, 'send'> | undefined;
  readonly exports: AccessExportLookup;
  readonly freshSeconds?: number | undefined;
}

interface CheckRow {
  status: 'ok' | 'reauthentication_required' | 'confirmation_mismatch' | 'last_owner';
  user_id: string;
  workspaces?: string[];
}

function refuse(check: CheckRow | null | undefined): asserts check is CheckRow {
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
      return;
  }
}

/** Schedules the signed-in person's deletion; nothing changes unless every check passes. */
export async function scheduleOwnDeletion(
  deps: CoolingDeps,
  session: Session,
  confirmEmail: string,
  origin: RequestOrigin,
): Promise<DeletionView> {
  const hash = sessionHash(session.token);
  const now = deps.clock();
  const typed = confirmEmail.trim();
  const deletion = await deps.db.withSystem(
    'privacy: schedule a deletion of one’s account',
    async (tx) => {
      const [row] = await tx.call(
        'auth_delete_account_check',
        hash,
        deps.freshSeconds ?? DEFAULT_FRESH_SIGN_IN_SECONDS,
        typed,
      );
      const check = row as CheckRow | null | undefined;
      refuse(check);
      const [answer] = await tx.call(
        'privacy_deletion_schedule',
        ...scheduleParams({
          userId: check.user_id,
          sessionHash: hash,
          request: null,
          requestedAt: now,
          runsAfter: runsAfter(now, deps.coolingOffDays),
          receiptTo: sealReceiptAddress(deps.receiptKey, check.user_id, session.email),
        }),
      );
      return scheduledOrThrow(answer);
    },
  );
  const actor = (ws: string) => userPrincipal(ws, deletion.user_id, origin);
  const workspaces = await userWorkspaces(deps.db, deletion.user_id);
  await recordInEach(deps.db, deletion, actor, 'privacy.deletion.scheduled', {}, workspaces);
  await sendDeletionMail(
    deps,
    {
      to: session.email,
      template: 'account_deletion_scheduled',
      data: { runsAfter: deletion.runs_after },
    },
    workspaces[0] === undefined ? undefined : actor(workspaces[0]),
  );
  return deletion;
}

/** Cancels the person's own pending deletion (`not_found` for anyone else's id). */
export async function cancelOwnDeletion(
  deps: CoolingDeps,
  session: Session,
  id: string,
  origin: RequestOrigin,
): Promise<DeletionView> {
  const now = deps.clock();
  const [row] = await deps.db.withSystem('privacy: cancel one’s deletion', (tx) =>
    tx.call('privacy_deletion_cancel', id, session.userId, now.toISOString()),
  );
  if (row === null || row === undefined) {
    const mine = await latestDeletion(deps.db, session.userId);
    if (mine?.id === id) throw notPending(mine);
    throw new AppError('not_found', 'No such deletion of yours');
  }
  const cancelled = toDeletionView(row);
  const actor = (ws: string) => userPrincipal(ws, session.userId, origin);
  const workspaces = await userWorkspaces(deps.db, session.userId);
  await recordInEach(deps.db, cancelled, actor, 'privacy.deletion.cancelled', {}, workspaces);
  await sendDeletionMail(
    deps,
    { to: session.email, template: 'account_deletion_cancelled', data: { by: 'you' } },
    workspaces[0] === undefined ? undefined : actor(workspaces[0]),
  );
  return cancelled;
}

export interface OwnDeletionStatus {
  readonly deletion: DeletionView | null;
  readonly access_export: ExportEvidence;
  readonly cooling_off_days: number;
}

/** What the person sees before and after confirming. */
export async function ownDeletionStatus(
  deps: CoolingDeps,
  session: Session,
): Promise<OwnDeletionStatus> {
  return {
    deletion: await latestDeletion(deps.db, session.userId),
    access_export: await personExportEvidence(deps.db, deps.exports, session.userId),
    cooling_off_days: deps.coolingOffDays,
  };
}
