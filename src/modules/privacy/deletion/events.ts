/**
 * A deletion's audit events. The person is global but audit logs are per
 * workspace, so an event about their deletion is recorded in each of their
 * workspaces (one transaction each, like `user.pseudonymised`), naming the
 * user and the deletion by id only. A person in no workspace has no audit
 * log to write to; the row's own dates are the record then.
 */
import type { Database } from '../../../db/database.js';
import type { Principal } from '../../../db/principal.js';
import { recordEvent } from '../../audit/index.js';
import type { Mailer } from '../../mail/index.js';
import { recordMailSendFor, type MailMessage } from '../../mail/index.js';
import { userWorkspaces } from './pseudonymise.js';
import type { DeletionView } from './scheduled.js';

export type DeletionAction =
  | 'privacy.deletion.scheduled'
  | 'privacy.deletion.cancelled'
  | 'privacy.deletion.started'
  | 'privacy.deletion.completed';

export function deletionTargets(d: DeletionView) {
  return [
    { type: 'scheduled_deletion', id: d.id },
    { type: 'user', id: d.user_id },
    ...(d.request_id === null ? [] : [{ type: 'privacy_request', id: d.request_id }]),
  ];
}

export function deletionMetadata(
  d: DeletionView,
): Record<string, string | number | boolean | null> {
  return { origin: d.origin, state: d.state, runs_after: d.runs_after };
}

/** Records `action` about `d` in each of the person's workspaces (or those given). */
export async function recordInEach(
  db: Pick<Database, 'withSystem' | 'withTenant'>,
  d: DeletionView,
  actor: (workspaceId: string) => Principal,
  action: DeletionAction,
  extra: Record<string, string | number | boolean | null> = {},
  workspaces?: readonly string[],
): Promise<void> {
  for (const ws of workspaces ?? (await userWorkspaces(db, d.user_id))) {
    await db.withTenant(actor(ws), (tx) =>
      recordEvent(tx, {
        action,
        targets: deletionTargets(d),
        metadata: { ...deletionMetadata(d), ...extra },
      }),
    );
  }
}

/**
 * Sends one of the deletion's emails and records the send in `recordIn`'s
 * workspace (domain only). A failure is reported, never thrown: the
 * deletion's state does not depend on the mail.
 */
export async function sendDeletionMail(
  deps: {
    readonly db: Pick<Database, 'withTenant'>;
    readonly mailer?: Pick<Mailer, 'send'> | undefined;
  },
  message: MailMessage,
  recordIn: Principal | undefined,
): Promise<boolean> {
  if (deps.mailer === undefined) return false;
  try {
    const outcome = await deps.mailer.send(message);
    if (recordIn !== undefined) await recordMailSendFor(deps.db, recordIn, outcome);
    return outcome.status === 'delivered';
  } catch {
    return false;
  }
}
