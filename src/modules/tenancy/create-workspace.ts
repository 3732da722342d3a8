/**
 * Creates a workspace (the tenant), its first owner, its data key and a first
 * API token for that owner, in one transaction: either all exist or none.
 * `actor` names who creates it (an operator at the CLI, for now), given the
 * new workspace's id.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { Principal } from '../../db/principal.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import { createApiToken } from './api-tokens.js';
import { sealDisplayName, type NameSealer } from './display-name.js';

export const REGIONS = ['us', 'eu', 'me-south', 'ap-northeast'] as const;
export type Region = (typeof REGIONS)[number];

/**
 * Makes a new workspace's first data key inside its creating transaction,
 * then seals the owner's display name with it (the keys module's keyring is
 * one; declared here so tenancy does not depend on keys, which declares its
 * routes through tenancy).
 */
export interface WorkspaceKeyMaker extends Pick<NameSealer, 'seal'> {
  createWorkspaceKey(tx: TenantTx): Promise<unknown>;
}

export interface CreateWorkspaceInput {
  readonly name: string;
  readonly region: Region;
  readonly ownerEmail: string;
  readonly ownerName?: string;
}

export interface CreatedWorkspace {
  readonly workspaceId: string;
  readonly ownerUserId: string;
  readonly token: string;
}

export async function createWorkspace(
  db: Pick<Database, 'withTenant'>,
  keyring: WorkspaceKeyMaker,
  input: CreateWorkspaceInput,
  actor: (workspaceId: string) => Principal,
): Promise<CreatedWorkspace> {
  if (!(REGIONS as readonly string[]).includes(input.region)) {
    throw new AppError(
      'validation_failed',
      `Unknown region "${input.region}" (one of ${REGIONS.join(', ')})`,
    );
  }
  const workspaceId = randomUUID();
  return db.withTenant(actor(workspaceId), async (tx) => {
    await tx
      .insertInto('workspaces')
      .values({
        tenant_id: workspaceId,
        name: input.name,
        region: input.region,
        plan: 'free_trial',
      })
      .execute();
    const ownerUserId = await ensureUser(tx, input.ownerEmail, '');
    await keyring.createWorkspaceKey(tx);
    await tx
      .insertInto('memberships')
      .values({
        tenant_id: workspaceId,
        user_id: ownerUserId,
        role: 'owner',
        ...(await sealDisplayName(tx, keyring, ownerUserId, input.ownerName ?? '')),
      })
      .execute();
    const { token } = await createApiToken(tx, {
      userId: ownerUserId,
      name: 'initial owner token',
    });
    return { workspaceId, ownerUserId, token };
  });
}

/**
 * Finds or creates the global user for an email (through the definer
 * function). Profile fields are per membership, so nothing but the id is
 * passed or returned here.
 */
export async function ensureUser(
  tx: TenantTx,
  email: string,
  displayName: string,
): Promise<string> {
  const { rows } = await sql<{
    id: string;
  }>`select wardroom.ensure_user(${email}, ${displayName}) as id`.execute(tx);
  const id = rows[0]?.id;
  if (id === undefined) throw new AppError('internal', 'ensure_user returned nothing');
  return id;
}
