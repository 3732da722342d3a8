/**
 * The workspace's data region (logical, Phase 1): reading it, and an owner
 * changing it. The LLM gateway reads `workspaces.region` on every call, so a
 * change routes the next call by the new region; new privacy requests get
 * the new region's legal context, while existing ones keep the law they
 * were received under. The change is a `workspace.region_changed` event with
 * both regions (besides the row trigger's `workspace.updated`).
 */
import { AppError } from '../../base/errors.js';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import { LAWS, REGION_LAW, type RegionCode } from './laws.js';

export const REGION_CODES = ['us', 'eu', 'me-south', 'ap-northeast'] as const;

const isRegion = (value: string): value is RegionCode =>
  (REGION_CODES as readonly string[]).includes(value);

export async function workspaceRegion(tx: TenantTx): Promise<RegionCode> {
  const row = await tx.selectFrom('workspaces').select('region').executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', 'Workspace not found');
  if (!isRegion(row.region)) throw new AppError('internal', 'Workspace has an unknown region');
  return row.region;
}

export interface ResidencyView {
  readonly region: RegionCode;
  /** The law new requests default to here, when the requester states no other. */
  readonly default_law: {
    readonly code: string;
    readonly name: string;
    readonly statutory: boolean;
  };
  /** Every region with its default law, for the picker. */
  readonly regions: { readonly code: RegionCode; readonly law: string }[];
  /** Phase 1: a tag that routes LLM calls and sets legal context, not physical separation. */
  readonly physical_isolation: false;
}

export function residencyView(region: RegionCode): ResidencyView {
  const law = LAWS[REGION_LAW[region]];
  return {
    region,
    default_law: { code: law.code, name: law.name, statutory: law.statutory },
    regions: REGION_CODES.map((code) => ({ code, law: LAWS[REGION_LAW[code]].name })),
    physical_isolation: false,
  };
}

export async function getResidency(tx: TenantTx): Promise<ResidencyView> {
  return residencyView(await workspaceRegion(tx));
}

/** Sets the region; the same region again changes nothing and records nothing. */
export async function changeRegion(tx: TenantTx, to: RegionCode): Promise<ResidencyView> {
  const current = await tx.selectFrom('workspaces').select('region').forUpdate().executeTakeFirst();
  if (current === undefined) throw new AppError('not_found', 'Workspace not found');
  if (current.region === to) return residencyView(to);
  await tx.updateTable('workspaces').set({ region: to }).execute();
  await recordEvent(tx, {
    action: 'workspace.region_changed',
    targets: [{ type: 'workspace', id: principalOf(tx).tenantId }],
    metadata: { from: current.region, to },
  });
  return residencyView(to);
}
