/**
 * Resolving a call before anything is sent: the workspace's region, its
 * route for the provider, the key (opened) and the intent event, in one
 * transaction: one commit before anything is sent. A region with no endpoint for the provider refuses
 * the call (`llm_region_blocked`) unless no key is configured at all (the
 * offline provider sends nothing anywhere).
 */
import { AppError } from '../../../base/errors.js';
import type { Endpoint, RoutesTable, RoutingRegion } from '../../../base/llm-routes.js';
import { ROUTING_REGIONS } from '../../../base/llm-routes.js';
import type { Database } from '../../../db/database.js';
import type { Principal } from '../../../db/principal.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import type { Keyring } from '../../keys/index.js';
import type { KeySource } from '../ports.js';
import { recordIntent, type CallFacts } from './call-events.js';
import { keyId, resolveKey, type PlatformKeys } from './keys.js';

export interface Resolved {
  readonly facts: CallFacts;
  readonly endpoint: Endpoint | undefined;
  readonly key: { readonly source: KeySource; readonly apiKey: string | undefined };
  readonly intentId: string;
}

export interface ResolveDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly keyring: Pick<Keyring, 'open'>;
  readonly routes: RoutesTable;
  readonly platformKeys: PlatformKeys;
}

/** A refusal that already knows the call's region and legal context (for its outcome event). */
export class RefusedWithFacts extends Error {
  constructor(
    readonly error: AppError,
    readonly facts: CallFacts,
  ) {
    super(error.message);
  }
}

function isRegion(value: string): value is RoutingRegion {
  return (ROUTING_REGIONS as readonly string[]).includes(value);
}

async function workspaceRegion(tx: TenantTx): Promise<RoutingRegion> {
  const row = await tx.selectFrom('workspaces').select('region').executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', 'Workspace not found');
  if (!isRegion(row.region)) throw new AppError('internal', 'Workspace has an unknown region');
  return row.region;
}

export async function resolveCall(
  deps: ResolveDeps,
  principal: Principal,
  call: {
    readonly facts: CallFacts;
    readonly credentialId: string | undefined;
    readonly worstCaseMicros: number;
    readonly stream: boolean;
  },
): Promise<Resolved> {
  return deps.db.withTenant(principal, (tx) => resolveIn(tx, deps, call));
}

async function resolveIn(
  tx: TenantTx,
  deps: ResolveDeps,
  call: Parameters<typeof resolveCall>[2],
): Promise<Resolved> {
  const name = call.facts.provider;
  const region = await workspaceRegion(tx);
  const routes = deps.routes[region];
  const located: CallFacts = { ...call.facts, region, legal: routes.legal };
  const endpoint = routes[name][0];
  const key = await resolveKey(tx, deps.keyring, name, deps.platformKeys, call.credentialId);
  const offline = key.source.source === 'offline';
  if (endpoint === undefined && !offline) {
    const error = new AppError(
      'llm_region_blocked',
      `This workspace's region (${region}) allows no ${name} endpoint; the call was not sent`,
      { details: { region, legal: routes.legal, provider: name } },
    );
    throw new RefusedWithFacts(error, { ...located, keyId: keyId(key.source) });
  }
  const facts: CallFacts = {
    ...located,
    endpointRegion: offline ? 'offline' : (endpoint?.region ?? 'none'),
    keyId: keyId(key.source),
  };
  const intentId = await recordIntent(tx, facts, call.worstCaseMicros, call.stream);
  return { facts, endpoint: offline ? undefined : endpoint, key, intentId };
}
