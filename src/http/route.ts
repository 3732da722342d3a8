/**
 * Route declarations, generic over who may call a route and what its
 * handler receives. A route states, in one place, its method, path, access
 * rule, schemas and the error codes it can answer with; the server assembly
 * (src/api) turns that into Fastify routes, OpenAPI and access checks. This
 * kit knows no module: the access rule and the handler's context are type
 * parameters the layer above fills in.
 */
import type { z } from 'zod';
import type { ErrorCode } from '../base/errors.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDef<
  Ctx,
  Access,
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
  H = z.infer<R>,
> {
  readonly method: Method;
  readonly url: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly access: Access;
  readonly params: P;
  readonly query?: Q;
  readonly body?: B;
  readonly status: 200 | 201 | 202 | 204;
  readonly response: R;
  readonly errors: readonly ErrorCode[];
  handler(ctx: Ctx, input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> }): Promise<H>;
  /**
   * Runs once the handler's transaction has committed, outside any
   * transaction, and turns what the handler returned into the response: for
   * work that must not happen unless the change is durable (sending an
   * email). Without it, the handler's value is the response.
   */
  afterCommit?(handled: H): Promise<z.infer<R>>;
}

/**
 * A `defineRoute` for one kind of context and access rule: typing flows from
 * the schemas to the handler, and the result is a plain route of that kind.
 */
export function routeDefiner<Ctx, Access>() {
  function defineRoute<
    P extends z.ZodType,
    Q extends z.ZodType,
    B extends z.ZodType,
    R extends z.ZodType,
  >(def: RouteDef<Ctx, Access, P, Q, B, R> & { afterCommit?: never }): RouteDef<Ctx, Access>;
  function defineRoute<
    P extends z.ZodType,
    Q extends z.ZodType,
    B extends z.ZodType,
    R extends z.ZodType,
    H,
  >(
    def: RouteDef<Ctx, Access, P, Q, B, R, H> & { afterCommit(handled: H): Promise<z.infer<R>> },
  ): RouteDef<Ctx, Access>;
  function defineRoute(def: RouteDef<Ctx, Access>): RouteDef<Ctx, Access> {
    return def;
  }
  return defineRoute;
}
