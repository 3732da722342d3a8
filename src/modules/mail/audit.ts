/**
 * Every send is an external call in the audit log of each workspace it
 * concerns. The send happens outside any transaction; the caller then
 * records its outcome with `recordMailSend` inside a tenant transaction of
 * each workspace. The event is built from the `MailOutcome` alone, which
 * holds the recipient's domain, the template and the outcome: never the
 * address's local part, the body, a code or a link.
 */
import type { Database } from '../../db/database.js';
import type { Principal } from '../../db/principal.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import type { MailOutcome } from './message.js';

/** The action of the event; its metadata mirrors an external call's outcome (`status`, `error_code`). */
export const MAIL_SEND_ACTION = 'mail.send.outcome';

export async function recordMailSend(tx: TenantTx, outcome: MailOutcome): Promise<void> {
  await recordEvent(tx, {
    action: MAIL_SEND_ACTION,
    metadata: {
      template: outcome.template,
      recipient_domain: outcome.recipientDomain,
      transport: outcome.transport,
      status: outcome.status === 'delivered' ? 'ok' : 'error',
      outcome: outcome.status,
      error_code: outcome.code,
    },
  });
}

/** `recordMailSend` in its own transaction of the principal's workspace. */
export function recordMailSendFor(
  db: Pick<Database, 'withTenant'>,
  principal: Principal,
  outcome: MailOutcome,
): Promise<void> {
  return db.withTenant(principal, (tx) => recordMailSend(tx, outcome));
}
