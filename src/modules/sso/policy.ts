/**
 * A workspace's SSO policy: whether it requires SSO. Setting it on needs an
 * enabled connection, so a workspace cannot lock everyone out by mistake
 * (owners keep the email-code recovery path either way). Audited by the
 * table's triggers.
 */
import { AppError } from '../../base/errors.js';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';

export async function requiresSso(tx: TenantTx): Promise<boolean> {
  const row = await tx.selectFrom('sso_policies').select('require_sso').executeTakeFirst();
  return row?.require_sso ?? false;
}

export async function setRequireSso(
  tx: TenantTx,
  requireSso: boolean,
): Promise<{ require_sso: boolean }> {
  if (requireSso) {
    const enabled = await tx
      .selectFrom('sso_connections')
      .select('id')
      .where('enabled', '=', true)
      .executeTakeFirst();
    if (enabled === undefined) {
      throw new AppError(
        'sso_not_configured',
        'Add and enable an SSO connection before requiring SSO',
      );
    }
  }
  await tx
    .insertInto('sso_policies')
    .values({ tenant_id: principalOf(tx).tenantId, require_sso: requireSso })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({ require_sso: requireSso, updated_at: new Date() }),
    )
    .execute();
  return { require_sso: requireSso };
}
