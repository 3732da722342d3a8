/**
 * Who is acting, for which workspace, under which request. A Principal is
 * branded: only the factories below make one, so every place that decides
 * which tenant a transaction opens is found by searching for them. The
 * brand is checked at run time too: withTenant() refuses any object these
 * factories did not make, such as a copy with its tenant id swapped.
 *
 * - tokenPrincipal: an HTTP request carrying an API token. The token is
 *   verified inside the transaction this principal opens (api/auth.ts), so
 *   a forged token opens nothing: the request fails and rolls back.
 * - userPrincipal / agentPrincipal: a signed-in person, an agent.
 * - systemPrincipal: Wardroom's own background work in one workspace
 *   (checkpoints, sweeps, verification), named by its reason.
 * - operatorPrincipal: a person operating Wardroom from the CLI; recorded
 *   with actor_type `ops`.
 * - queuedPrincipal: a background job acting for whoever queued it (the
 *   requester travels sealed in the job's payload).
 */
import { randomUUID } from 'node:crypto';

declare const principalBrand: unique symbol;

/** Every kind of actor an audit event can name. */
export const ACTOR_TYPES = ['user', 'api_token', 'agent', 'system', 'ops'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export interface PrincipalFields {
  readonly tenantId: string;
  readonly actorType: ActorType;
  readonly actorId: string;
  readonly correlationId: string;
  /** Recorded in audit events' context when known. */
  readonly actorName?: string;
  readonly ip?: string;
  readonly userAgent?: string;
}

export type Principal = PrincipalFields & { readonly [principalBrand]: true };

/** Where a request came from, recorded in its audit events. */
export interface RequestOrigin {
  readonly correlationId: string;
  readonly ip?: string;
  readonly userAgent?: string;
}

const issued = new WeakSet<object>();

function make(fields: PrincipalFields): Principal {
  const principal = Object.freeze(fields) as Principal;
  issued.add(principal);
  return principal;
}

/** True only for a principal one of the factories below made (not a copy). */
export function isIssued(principal: Principal): boolean {
  return issued.has(principal);
}

function origin(
  request: RequestOrigin,
): Omit<PrincipalFields, 'tenantId' | 'actorType' | 'actorId'> {
  return {
    correlationId: request.correlationId,
    ...(request.ip === undefined ? {} : { ip: request.ip }),
    ...(request.userAgent === undefined ? {} : { userAgent: request.userAgent }),
  };
}

export function tokenPrincipal(
  token: { readonly tenantId: string; readonly tokenId: string },
  request: RequestOrigin,
): Principal {
  return make({
    tenantId: token.tenantId,
    actorType: 'api_token',
    actorId: token.tokenId,
    ...origin(request),
  });
}

export function userPrincipal(
  tenantId: string,
  userId: string,
  request: RequestOrigin = { correlationId: randomUUID() },
): Principal {
  return make({ tenantId, actorType: 'user', actorId: userId, ...origin(request) });
}

export function agentPrincipal(
  tenantId: string,
  agent: { readonly id: string; readonly name?: string },
  request: RequestOrigin = { correlationId: randomUUID() },
): Principal {
  return make({
    tenantId,
    actorType: 'agent',
    actorId: agent.id,
    ...(agent.name === undefined ? {} : { actorName: agent.name }),
    ...origin(request),
  });
}

export function systemPrincipal(
  tenantId: string,
  reason: string,
  correlationId: string = randomUUID(),
): Principal {
  return make({ tenantId, actorType: 'system', actorId: reason, correlationId });
}

export function operatorPrincipal(
  tenantId: string,
  operator: { readonly id: string; readonly name?: string },
  correlationId: string = randomUUID(),
): Principal {
  return make({
    tenantId,
    actorType: 'ops',
    actorId: operator.id,
    correlationId,
    ...(operator.name === undefined ? {} : { actorName: operator.name }),
  });
}

export function queuedPrincipal(
  tenantId: string,
  requester: { readonly type: ActorType; readonly id: string; readonly name?: string },
): Principal {
  return make({
    tenantId,
    actorType: requester.type,
    actorId: requester.id,
    correlationId: randomUUID(),
    ...(requester.name === undefined ? {} : { actorName: requester.name }),
  });
}
