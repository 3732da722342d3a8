/**
 * Compile-time proof that module code cannot reach tenant tables without
 * withTenant(): a bare Kysely instance, a plain transaction or a SystemTx
 * passed where a TenantTx is required is a type error. If any of these ever
 * compiles, `@ts-expect-error` becomes unused and typecheck fails.
 */
/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- misuse is the point */
import type { Kysely, Transaction } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';
import type { DB } from './schema.js';
import type { SystemTx, TenantTx } from './tenant-tx.js';

declare function repositoryFunction(tx: TenantTx): Promise<void>;
declare const pool: Kysely<DB>;
declare const plainTransaction: Transaction<DB>;
declare const systemTx: SystemTx;
declare const tenantTx: TenantTx;

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
