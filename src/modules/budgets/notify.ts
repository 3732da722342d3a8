/**
 * Emails about budgets, sent after the change that causes them has
 * committed, each send then recorded in the workspace's audit log
 * (`mail.send.outcome`). Best effort: a failed send is recorded, never
 * thrown, so a mail server that is down cannot fail an LLM call.
 */
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { Principal } from '../../db/principal.js';
import { recordMailSendFor, type Mailer, type MailMessage } from '../mail/index.js';

export type Recipients = 'owners' | 'admins';

/** Sends one message per recipient (owners; or admins and owners) and audits each send. */
export async function notifyMembers(
  db: Pick<Database, 'withTenant'>,
  mailer: Pick<Mailer, 'send'>,
  principal: Principal,
  who: Recipients,
  /** The message for one address (in English: the app role does not read people's languages). */
  message: (to: string) => MailMessage,
): Promise<number> {
  const roles = who === 'owners' ? ['owner'] : ['owner', 'admin'];
  const people = await db.withTenant(principal, async (tx) => {
    const rows = await sql<{ email: string }>`
      SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.role = ANY(${roles}::text[]) ORDER BY u.email`.execute(tx);
    return rows.rows;
  });
  let sent = 0;
  for (const person of people) {
    try {
      const outcome = await mailer.send(message(person.email));
      await recordMailSendFor(db, principal, outcome);
      if (outcome.status === 'delivered') sent += 1;
    } catch {
      // A message the mailer will not build sent nothing; the others still go.
    }
  }
  return sent;
}

/** Micro-dollars as dollars with two decimals, rounded up ("0.01" for any spend under a cent). */
export function usd(micros: bigint): string {
  const cents = (micros + 9_999n) / 10_000n;
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}
