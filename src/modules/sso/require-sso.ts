/**
 * "Require SSO": a workspace that requires it is reached only by a session
 * made through one of its own SSO connections. Owners keep the email-code
 * path (recovery, if the IdP fails); each request they make that way is an
 * `sso.recovery_access` audit event, so its use is never silent.
 */
import { AppError } from '../../base/errors.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import type { SignInMethod } from '../auth/index.js';
import type { Member } from '../tenancy/index.js';

export async function enforceSsoPolicy(
  tx: TenantTx,
  workspaceId: string,
  method: SignInMethod,
  membership: { readonly member: Member; readonly requireSso: boolean },
): Promise<void> {
  const { member, requireSso } = membership;
  if (method.kind === 'sso' && method.workspaceId === workspaceId) return;
  if (!requireSso) return;
  if (member.role !== 'owner') {
    throw new AppError('sso_required', 'This workspace requires signing in with SSO');
  }
  await recordEvent(tx, {
    action: 'sso.recovery_access',
    targets: [{ type: 'user', id: member.userId }],
    metadata: { method: method.kind },
  });
}
