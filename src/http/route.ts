/**
 * Route declarations. A route states, in one place, its method, path, who
 * may call it, its schemas and the error codes it can answer with; the
 * server turns that into Fastify routes, OpenAPI and access checks. A route
 * registered without an access declaration is refused at startup.
 */
import type { z } from 'zod';
import type { Database } from '../db/database.js';
import type { Principal, TenantTx } from '../db/tenant-tx.js';
import type { ErrorCode } from '../base/errors.js';
import type { AuditSigner } from '../modules/audit/signer.js';
import type { Keyring } from '../modules/keys/keyring.js';
import type { Member, NamedRole, Role } from '../modules/tenancy/roles.js';

export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'token' }
  | { readonly kind: 'role'; readonly role: Role }
  | { readonly kind: 'named_role'; readonly anyOf: readonly NamedRole[] };

export interface AppDeps {
  readonly db: Database;
  readonly keyring: Keyring;
  /**
   * Signs audit checkpoints and shred receipts; its public half is served at
   * /.well-known/wardroom-audit-key. A server built without it answers the
   * shred route with config_invalid and publishes no key.
   */
  readonly auditSigner?: AuditSigner;
}

export interface RouteContext {
  readonly tx: TenantTx;
  readonly member: Member;
  readonly principal: Principal;
  readonly deps: AppDeps;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  readonly method: Method;
  readonly url: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly access: Exclude<Access, { kind: 'public' }>;
  readonly params: P;
  readonly query?: Q;
  readonly body?: B;
  readonly status: 200 | 201 | 204;
  readonly response: R;
  readonly errors: readonly ErrorCode[];
  handler(
    ctx: RouteContext,
    input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> },
  ): Promise<z.infer<R>>;
}

/** Declares an authenticated route; typing flows from the schemas to the handler. */
export function defineRoute<
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  R extends z.ZodType,
>(def: RouteDef<P, Q, B, R>): RouteDef {
  return def;
}
