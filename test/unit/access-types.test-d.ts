/**
 * Compile-time proof of who may open which tenant, and with what. If any
 * line under `@ts-expect-error` ever compiles, the directive becomes unused
 * and `npm run typecheck` fails.
 * - Module code cannot reach tenant tables without withTenant(): a bare
 *   Kysely instance, a plain transaction or a SystemTx is not a TenantTx.
 * - A Principal is made only by the named factories in principal.ts.
 * - Route handlers get the request's transaction, member and principal,
 *   never the database.
 * - A SystemTx reaches no table, only the named system functions.
 * - Modules get a job queue without the administrative connection.
 */
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-meaningless-void-operator -- misuse is the point */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { describe, expectTypeOf, it } from 'vitest';
import { defineRoute } from '../../src/modules/tenancy/index.js';
import type { JobQueue } from '../../src/db/jobs.js';
import { systemPrincipal, type Principal } from '../../src/db/principal.js';
import type { DB } from '../../src/db/schema.js';
import type { SystemTx } from '../../src/db/system-tx.js';
import type { TenantTx } from '../../src/db/tenant-tx.js';

declare function repositoryFunction(tx: TenantTx): Promise<void>;
declare function openTenant(principal: Principal): Promise<void>;
declare const pool: Kysely<DB>;
declare const plainTransaction: Transaction<DB>;
declare const systemTx: SystemTx;
declare const tenantTx: TenantTx;
declare const queue: JobQueue;

describe('TenantTx', () => {
  it('is the only thing a tenant repository function accepts', () => {
    // @ts-expect-error the bare pool is not tenant-scoped
    void repositoryFunction(pool);
    // @ts-expect-error a transaction not opened by withTenant() is not tenant-scoped
    void repositoryFunction(plainTransaction);
    // @ts-expect-error a system transaction is not tenant-scoped
    void repositoryFunction(systemTx);
    void repositoryFunction(tenantTx);
    expectTypeOf<Kysely<DB>>().not.toExtend<TenantTx>();
    expectTypeOf<TenantTx>().toExtend<Transaction<DB>>();
  });
});

describe('Principal', () => {
  it('comes only from a named factory', () => {
    const literal = {
      tenantId: '00000000-0000-4000-8000-000000000000',
      actorType: 'system' as const,
      actorId: 'x',
      correlationId: 'x',
    };
    // @ts-expect-error an object literal is not a Principal
    void openTenant(literal);
    // A spread copy keeps the brand's type; withTenant() refuses it at run
    // time (src/db/principal.test.ts).
    void openTenant(systemPrincipal(literal.tenantId, 'test'));
  });
});

describe('route handlers', () => {
  it('get the transaction, member and principal, never the database', () => {
    defineRoute({
      method: 'GET',
      url: '/api/v1/workspaces/:ws/example',
      summary: 'example',
      tags: [],
      access: { kind: 'token' },
      params: z.strictObject({ ws: z.uuid() }),
      status: 200,
      response: z.null(),
      errors: [],
      handler: (ctx) => {
        // @ts-expect-error the request context carries no database
        void ctx.db;
        // @ts-expect-error nor any module dependency
        void ctx.deps;
        void repositoryFunction(ctx.tx);
        expectTypeOf(ctx.principal).toEqualTypeOf<Principal>();
        return Promise.resolve(null);
      },
    });
  });
});

describe('SystemTx', () => {
  it('exposes no table, only named system functions', () => {
    // @ts-expect-error a system transaction cannot select from a tenant table
    void systemTx.selectFrom('messages');
    // @ts-expect-error nor run arbitrary SQL through an executor
    void systemTx.getExecutor();
    // @ts-expect-error nor call a function that is not on the list
    void systemTx.call('audit_seal_workspace');
    void systemTx.call('list_workspace_ids');
  });
});

describe('JobQueue', () => {
  it('gives modules no administrative connection', () => {
    // @ts-expect-error pg-boss's database handle is not part of the narrowed queue
    void queue.getDb();
    // @ts-expect-error nor is stopping the whole queue
    void queue.stop();
    void queue.send('queue', {});
  });
});
