/**
 * The invitation email, as the member routes see it: an interface the route
 * factory takes (the mail module implements it and app.ts wires it), so
 * tenancy imports no other module. Sent after the membership committed; a
 * failed send leaves the invitation in place and is reported in the answer.
 */
import type { Principal } from '../../db/principal.js';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import type { NameSealer } from './display-name.js';
import { getMember } from './members.js';
import type { Member } from './roles.js';

export interface InvitationEmail {
  readonly to: string;
  readonly language?: string | undefined;
  readonly inviterName: string;
  readonly workspaceName: string;
}

/** Whether the email went out, and if not, its stable code (`mail_refused`, `mail_timeout`, `mail_unavailable`). */
export interface InvitationEmailResult {
  readonly sent: boolean;
  readonly error_code: 'mail_refused' | 'mail_timeout' | 'mail_unavailable' | null;
}

export interface InvitationMailer {
  /** Sends outside any transaction and records the send in the principal's workspace; never throws for a failed send. */
  sendInvitation(principal: Principal, email: InvitationEmail): Promise<InvitationEmailResult>;
}

/** Without a mailer (a server built without one), nothing is sent. */
export const NO_MAILER: InvitationMailer = {
  sendInvitation: () => Promise.resolve({ sent: false, error_code: 'mail_unavailable' }),
};

/** What the email says, read inside the inviting transaction: the workspace's name and the inviter's. */
export async function invitationEmail(
  tx: TenantTx,
  sealer: NameSealer,
  actor: Member,
  to: { email: string; language?: string | undefined },
): Promise<InvitationEmail> {
  const ws = await tx
    .selectFrom('workspaces')
    .select('name')
    .where('tenant_id', '=', principalOf(tx).tenantId)
    .executeTakeFirstOrThrow();
  const inviter = await getMember(tx, sealer, actor.userId);
  return {
    to: to.email,
    language: to.language,
    inviterName: inviter.display_name === '' ? inviter.email : inviter.display_name,
    workspaceName: ws.name,
  };
}
