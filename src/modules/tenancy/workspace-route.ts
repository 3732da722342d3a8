/**
 * The kind of route every module declares: it runs inside the request's
 * tenant transaction and receives that transaction, the verified member and
 * the principal, never the database itself.
 */
import type { Principal } from '../../db/principal.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { routeDefiner, type RouteDef } from '../../http/route.js';
import type { Access } from './access.js';
import type { Member } from './roles.js';

export interface WorkspaceContext {
  readonly tx: TenantTx;
  readonly member: Member;
  readonly principal: Principal;
}

export type WorkspaceRoute = RouteDef<WorkspaceContext, Access>;

export const defineRoute = routeDefiner<WorkspaceContext, Access>();
