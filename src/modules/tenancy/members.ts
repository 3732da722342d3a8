/**
 * Workspace members: list, invite by email, change role, remove.
 * Rules: only an owner may grant, change or remove the owner role or the
 * named roles (founder, finance_lead), and the
 * last owner can be neither demoted nor removed. Owner rows are locked
 * (FOR UPDATE) before counting, so two concurrent demotions cannot both pass.
 * Display names are sealed (display-name.ts): each one read is one open.
 */
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import { ensureUser } from './create-workspace.js';
import { openDisplayName, sealDisplayName, type NameSealer } from './display-name.js';
import { isNamedRole, isRole, type Member, type NamedRole, type Role } from './roles.js';

export interface MemberView {
  readonly user_id: string;
  readonly email: string;
  readonly display_name: string;
  readonly role: Role;
  readonly named_roles: NamedRole[];
  readonly created_at: string;
}

const COLUMNS = [
  'm.user_id',
  'u.email',
  'm.display_name',
  'm.display_name_sealed',
  'm.role',
  'm.named_roles',
  'm.created_at',
] as const;

export async function listMembers(tx: TenantTx, sealer: NameSealer): Promise<MemberView[]> {
  const rows = await tx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(COLUMNS)
    .orderBy('m.created_at')
    .orderBy('m.user_id')
    .execute();
  return Promise.all(rows.map((r) => toView(tx, sealer, r)));
}

export async function inviteMember(
  tx: TenantTx,
  sealer: NameSealer,
  actor: Member,
  input: { email: string; role: Role; displayName?: string | undefined },
): Promise<MemberView> {
  if (input.role === 'owner' && actor.role !== 'owner') {
    throw new AppError('forbidden', 'Only an owner can add another owner');
  }
  const userId = await ensureUser(tx, input.email, '');
  const inserted = await tx
    .insertInto('memberships')
    .values({
      tenant_id: principalOf(tx).tenantId,
      user_id: userId,
      role: input.role,
      ...(await sealDisplayName(tx, sealer, userId, input.displayName ?? '')),
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  if (inserted === undefined) throw new AppError('conflict', 'That person is already a member');
  return getMember(tx, sealer, userId);
}

export async function changeMemberRole(
  tx: TenantTx,
  sealer: NameSealer,
  actor: Member,
  userId: string,
  change: { role?: Role | undefined; namedRoles?: NamedRole[] | undefined },
): Promise<MemberView> {
  const current = await memberRole(tx, userId);
  const touchesOwner = current.role === 'owner' || change.role === 'owner';
  if (
    touchesOwner &&
    change.role !== undefined &&
    change.role !== current.role &&
    actor.role !== 'owner'
  ) {
    throw new AppError('forbidden', 'Only an owner can grant or take away the owner role');
  }
  // Named roles gate high-stakes actions (board packs, investor updates), so
  // only an owner may hand them out or take them away.
  if (change.namedRoles !== undefined && actor.role !== 'owner') {
    throw new AppError(
      'forbidden',
      'Only an owner can grant or take away founder and finance_lead',
    );
  }
  if (current.role === 'owner' && change.role !== undefined && change.role !== 'owner') {
    await assertNotLastOwner(tx);
  }
  await tx
    .updateTable('memberships')
    .set({
      ...(change.role === undefined ? {} : { role: change.role }),
      ...(change.namedRoles === undefined ? {} : { named_roles: [...new Set(change.namedRoles)] }),
    })
    .where('user_id', '=', userId)
    .execute();
  return getMember(tx, sealer, userId);
}

export async function removeMember(tx: TenantTx, actor: Member, userId: string): Promise<void> {
  const current = await memberRole(tx, userId);
  if (current.role === 'owner') {
    if (actor.role !== 'owner')
      throw new AppError('forbidden', 'Only an owner can remove an owner');
    await assertNotLastOwner(tx);
  }
  await tx.deleteFrom('memberships').where('user_id', '=', userId).execute();
}

export async function getMember(
  tx: TenantTx,
  sealer: NameSealer,
  userId: string,
): Promise<MemberView> {
  const row = await tx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(COLUMNS)
    .where('m.user_id', '=', userId)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', 'Member not found');
  return toView(tx, sealer, row);
}

/** A member's role, without opening their name (for the rules above). */
async function memberRole(tx: TenantTx, userId: string): Promise<{ role: string }> {
  const row = await tx
    .selectFrom('memberships')
    .select('role')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', 'Member not found');
  return row;
}

async function assertNotLastOwner(tx: TenantTx): Promise<void> {
  const owners = await tx
    .selectFrom('memberships')
    .select('user_id')
    .where('role', '=', 'owner')
    .forUpdate()
    .execute();
  if (owners.length <= 1)
    throw new AppError('last_owner', 'The last owner cannot be removed or demoted');
}

async function toView(
  tx: TenantTx,
  sealer: NameSealer,
  row: {
    user_id: string;
    email: string;
    display_name: string | null;
    display_name_sealed: Buffer | null;
    role: string;
    named_roles: string[];
    created_at: Date;
  },
): Promise<MemberView> {
  if (!isRole(row.role)) throw new AppError('internal', 'Membership has an unknown role');
  return {
    user_id: row.user_id,
    email: row.email,
    display_name: await openDisplayName(tx, sealer, row),
    role: row.role,
    named_roles: row.named_roles.filter(isNamedRole),
    created_at: row.created_at.toISOString(),
  };
}
