/**
 * Cross-tenant work (checkpoints, the audit chainer, partition upkeep, key
 * sweeps listing workspaces) opens a system transaction with a reason. It
 * sets no tenant, so every tenant table would answer nothing; rather than
 * hand out a query builder on which `selectFrom('messages')` compiles and
 * silently returns no rows, a SystemTx exposes only the named database
 * functions built for such work. Each is owned by the schema owner and
 * granted to the app role in its migration.
 */
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from './schema.js';

/** The functions system work may call: their arguments and what each row returns. */
interface SystemFunctions {
  /** Every workspace id, through a definer function that reads nothing else. */
  list_workspace_ids: { args: []; returns: string };
  /** Creates the audit log partition for the month of the given date. */
  ensure_audit_partition: { args: [month: RawBuilder<unknown> | string]; returns: string };
  /** Chains up to `batch` committed, unchained events across workspaces. */
  audit_seal_pending: { args: [batch: number]; returns: number | null };
  /** Email sign-in and sessions (modules/auth): each returns one jsonb value, or null. */
  auth_start_code: {
    args: [email: string, codeHmac: Buffer, ttlSeconds: number];
    returns: unknown;
  };
  auth_verify_code: {
    args: [
      email: string,
      codeHmac: Buffer,
      maxAttempts: number,
      sessionHash: Buffer,
      userAgent: string | null,
      lifetimeSeconds: number,
      idleSeconds: number,
    ];
    returns: unknown;
  };
  auth_session: { args: [sessionHash: Buffer, idleSeconds: number]; returns: unknown };
  auth_account: {
    args: [sessionHash: Buffer, action: string, sessionId: string | null];
    returns: unknown;
  };
  /** Per-recipient opt-out (modules/contacts, migration 022): keyed hashes only. */
  privacy_optout_start: {
    args: [address: Buffer, codeHmac: Buffer, ttlSeconds: number];
    returns: null;
  };
  privacy_optout_verify: {
    args: [address: Buffer, codeHmac: Buffer, maxAttempts: number, delayDays: number];
    returns: unknown;
  };
  privacy_suppression_take: { args: [id: string]; returns: unknown };
  privacy_suppression_applied: { args: [id: string]; returns: boolean };
  privacy_suppressions_pending: { args: []; returns: unknown };
  /** Deleting a person (modules/privacy/deletion, migration 025). */
  auth_delete_account_check: {
    args: [sessionHash: Buffer, freshSeconds: number, email: string];
    returns: unknown;
  };
  privacy_user_workspaces: { args: [userId: string]; returns: unknown };
  privacy_pseudonymise_user: { args: [userId: string]; returns: unknown };
  /** Erases a person's audit keys (modules/audit, migration 026): the persons erased. */
  audit_person_keys_erase: { args: [userId: string]; returns: unknown };
  /** Scheduled deletions (modules/privacy/deletion, migration 029); times as ISO strings. */
  privacy_deletion_schedule: {
    args: [
      userId: string,
      sessionHash: Buffer | null,
      workspaceId: string | null,
      requestId: string | null,
      requestedAt: string,
      runsAfter: string,
      receiptTo: Buffer,
    ];
    returns: unknown;
  };
  privacy_deletion_get: { args: [userId: string]; returns: unknown };
  privacy_deletion_cancel: { args: [id: string, userId: string, now: string]; returns: unknown };
  privacy_deletion_claim: {
    args: [now: string, leaseSeconds: number, limit: number, only: RawBuilder<unknown> | null];
    returns: unknown;
  };
  privacy_deletion_complete: { args: [id: string, now: string, receipt: string]; returns: unknown };
  /** Single sign-on (modules/sso, migration 015). */
  sso_discover: { args: [workspaceId: string | null, domain: string | null]; returns: unknown };
  sso_flow_begin: {
    args: [
      keyHash: Buffer,
      workspaceId: string,
      connectionId: string,
      kind: string,
      nonce: string | null,
      codeVerifier: string | null,
      ttlSeconds: number,
    ];
    returns: null;
  };
  sso_flow_take: { args: [keyHash: Buffer, kind: string]; returns: unknown };
  sso_flow_complete: {
    args: [
      keyHash: Buffer,
      userId: string,
      sessionHash: Buffer,
      userAgent: string | null,
      lifetimeSeconds: number,
      idleSeconds: number,
      windowSeconds: number,
    ];
    returns: unknown;
  };
  sso_assertion_record: {
    args: [issuer: string, assertionId: string, notOnOrAfter: string];
    returns: boolean;
  };
}

export type SystemFunction = keyof SystemFunctions;

export interface SystemTx {
  /** Why this transaction was opened (recorded as `wardroom.system_reason`). */
  readonly reason: string;
  /** `select wardroom.<fn>(...args)`: the value of each row it returns. */
  call<F extends SystemFunction>(
    fn: F,
    ...args: SystemFunctions[F]['args']
  ): Promise<SystemFunctions[F]['returns'][]>;
  /** The tenant this transaction sees: always null for system work. */
  tenantInScope(): Promise<string | null>;
  /**
   * `pg_notify(channel, payload)`: heard by every listening process once,
   * and only if, this transaction commits (cache invalidation).
   */
  notify(channel: string, payload: string): Promise<void>;
}

const FUNCTIONS: ReadonlySet<string> = new Set<SystemFunction>([
  'list_workspace_ids',
  'ensure_audit_partition',
  'audit_seal_pending',
  'auth_start_code',
  'auth_verify_code',
  'auth_session',
  'auth_account',
  'sso_discover',
  'sso_flow_begin',
  'sso_flow_take',
  'sso_flow_complete',
  'sso_assertion_record',
  'privacy_optout_start',
  'privacy_optout_verify',
  'privacy_suppression_take',
  'privacy_suppression_applied',
  'privacy_suppressions_pending',
  'auth_delete_account_check',
  'privacy_user_workspaces',
  'privacy_pseudonymise_user',
  'audit_person_keys_erase',
  'privacy_deletion_schedule',
  'privacy_deletion_get',
  'privacy_deletion_cancel',
  'privacy_deletion_claim',
  'privacy_deletion_complete',
]);

/** Wraps a transaction as a SystemTx. Only db/database.ts calls this. */
export function systemTx(trx: Transaction<DB>, reason: string): SystemTx {
  return {
    reason,
    async call(fn, ...args) {
      if (!FUNCTIONS.has(fn)) throw new Error(`not a system function: ${fn}`);
      const values = (
        args as readonly (RawBuilder<unknown> | Buffer | string | number | null)[]
      ).map((a) => (typeof a === 'object' && a !== null && !Buffer.isBuffer(a) ? a : sql`${a}`));
      const { rows } = await sql<{
        value: never;
      }>`select ${sql.id('wardroom', fn)}(${sql.join(values)}) as value`.execute(trx);
      return rows.map((r) => r.value);
    },
    async notify(channel, payload) {
      await sql`select pg_notify(${channel}, ${payload})`.execute(trx);
    },
    async tenantInScope() {
      const { rows } = await sql<{ t: string | null }>`
        select nullif(current_setting('wardroom.tenant_id', true), '') as t`.execute(trx);
      return rows[0]?.t ?? null;
    },
  };
}
