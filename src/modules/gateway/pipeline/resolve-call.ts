/**
 * Resolving a call before anything is sent: the workspace's region, its
 * route for the provider, the key (opened), the budget's reservation and
 * the intent event, in one transaction: one commit before anything is sent.
 * A region with no endpoint for the provider refuses the call
 * (`llm_region_blocked`) unless no key is configured at all (the offline
 * provider sends nothing anywhere). A refusal here (the region, the budget,
 * a rate limit, a suspended key) rolls everything back: the call then has an
 * outcome event only, since nothing was about to leave.
 */
import { AppError } from '../../../base/errors.js';
import type { Endpoint, RoutesTable, RoutingRegion } from '../../../base/llm-routes.js';
import { ROUTING_REGIONS } from '../../../base/llm-routes.js';
import type { Database } from '../../../db/database.js';
import type { Principal } from '../../../db/principal.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import type { Keyring } from '../../keys/index.js';
import type {
  BudgetGuard,
  CallScope,
  KeySource,
  Reservation,
  ReservationRequest,
} from '../ports.js';
import { recordIntent, type CallFacts } from './call-events.js';
import { keyId, resolveKey, type PlatformKeys } from './keys.js';

export interface Resolved {
  readonly facts: CallFacts;
  readonly endpoint: Endpoint | undefined;
  readonly key: { readonly source: KeySource; readonly apiKey: string | undefined };
  readonly intentId: string;
  /** The budget's hold on the worst case (when a budget guard is wired). */
  readonly reservation: Reservation | undefined;
}

export interface ResolveDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly keyring: Pick<Keyring, 'open'>;
  readonly routes: RoutesTable;
  readonly platformKeys: PlatformKeys;
  readonly budget?: BudgetGuard | undefined;
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

/** What the reservation needs beyond the call's facts. */
export interface CallToResolve {
  readonly facts: CallFacts;
  readonly credentialId: string | undefined;
  readonly stream: boolean;
  readonly scope: Omit<CallScope, 'key'>;
  readonly reserve: Omit<ReservationRequest, 'provider' | 'model'>;
}

export async function resolveCall(
  deps: ResolveDeps,
  principal: Principal,
  call: CallToResolve,
): Promise<Resolved> {
  const held: { reservation?: Reservation } = {};
  try {
    return await deps.db.withTenant(principal, (tx) => resolveIn(tx, deps, call, held));
  } catch (error) {
    await held.reservation?.abandon();
    throw error;
  }
}

async function resolveIn(
  tx: TenantTx,
  deps: ResolveDeps,
  call: CallToResolve,
  held: { reservation?: Reservation },
): Promise<Resolved> {
  const name = call.facts.provider;
  const region = await workspaceRegion(tx);
  const routes = deps.routes[region];
  const located: CallFacts = { ...call.facts, region, legal: routes.legal };
  const endpoint = routes[name][0];
  const key = await resolveKey(tx, deps.keyring, name, deps.platformKeys, call.credentialId);
  const offline = key.source.source === 'offline';
  const withKey: CallFacts = { ...located, keyId: keyId(key.source) };
  if (endpoint === undefined && !offline) {
    const error = new AppError(
      'llm_region_blocked',
      `This workspace's region (${region}) allows no ${name} endpoint; the call was not sent`,
      { details: { region, legal: routes.legal, provider: name } },
    );
    throw new RefusedWithFacts(error, withKey);
  }
  const facts: CallFacts = {
    ...withKey,
    endpointRegion: offline ? 'offline' : (endpoint?.region ?? 'none'),
  };
  try {
    const reservation = await deps.budget?.reserve(
      tx,
      { ...call.scope, key: key.source },
      { ...call.reserve, provider: name, model: facts.model },
    );
    if (reservation !== undefined) held.reservation = reservation;
  } catch (error) {
    if (error instanceof AppError) throw new RefusedWithFacts(error, facts);
    throw error;
  }
  const intentId = await recordIntent(tx, facts, Number(call.reserve.worstCaseMicros), call.stream);
  return {
    facts,
    endpoint: offline ? undefined : endpoint,
    key,
    intentId,
    reservation: held.reservation,
  };
}
