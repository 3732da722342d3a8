/**
 * Writing audit events from application code. Data changes are recorded by
 * database triggers; this is for what no row change shows: reads of the
 * log, exports, and calls to the outside world (LLM, connectors, email).
 *
 * External calls are recorded in two phases: the intent is committed on its
 * own transaction before the call (so a rollback of the caller's work cannot
 * erase the fact that data left), the outcome after, joined by correlation
 * id and the intent's id. `listPendingIntents` finds intents with no outcome.
 */
import type { Database } from '../../db/database.js';
import { auditPersonalOf, principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { type Principal } from '../../db/principal.js';
import { AppError, isAppError } from '../../base/errors.js';

export interface EventInput {
  readonly action: string;
  readonly targets?: readonly { type: string; id: string }[];
  readonly metadata?: Readonly<Record<string, string | number | boolean | null>>;
}

/** Appends one event for the transaction's principal; returns its private id (seq comes when it is chained). */
export async function recordEvent(tx: TenantTx, event: EventInput): Promise<string> {
  const p = principalOf(tx);
  // The person's fields as the transaction stores them: sealed under their key.
  const personal = auditPersonalOf(tx);
  const context: Record<string, string> = {};
  if (personal.ip !== undefined) context['ip'] = personal.ip;
  if (personal.userAgent !== undefined) context['user_agent'] = personal.userAgent;
  const row = await tx
    .insertInto('audit_log')
    .values({
      tenant_id: p.tenantId,
      actor_type: p.actorType,
      actor_id: p.actorId,
      actor_name: personal.actorName ?? null,
      action: event.action,
      targets: JSON.stringify(event.targets ?? []),
      context: JSON.stringify(context),
      correlation_id: p.correlationId,
      metadata: JSON.stringify(event.metadata ?? {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface ExternalCall<T> {
  /** Dotted name of the call, e.g. `llm.anthropic.messages`; events end in .intent / .outcome. */
  readonly action: string;
  readonly targets?: readonly { type: string; id: string }[];
  readonly metadata?: Readonly<Record<string, string | number | boolean | null>>;
  readonly describe?: (result: T) => Readonly<Record<string, string | number | boolean | null>>;
}

export async function recordExternalCall<T>(
  db: Pick<Database, 'withTenant'>,
  principal: Principal,
  call: ExternalCall<T>,
  fn: () => Promise<T>,
): Promise<T> {
  const intentId = await db.withTenant(principal, (tx) =>
    recordEvent(tx, { action: `${call.action}.intent`, ...pick(call) }),
  );
  const outcome = (metadata: Record<string, string | number | boolean | null>) =>
    db.withTenant(principal, (tx) =>
      recordEvent(tx, {
        action: `${call.action}.outcome`,
        ...(call.targets === undefined ? {} : { targets: call.targets }),
        metadata: { intent_id: intentId, ...metadata },
      }),
    );
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await outcome({ status: 'error', error_code: isAppError(error) ? error.code : 'internal' });
    throw error;
  }
  await outcome({ status: 'ok', ...(call.describe?.(result) ?? {}) });
  return result;
}

function pick(
  call: Pick<ExternalCall<unknown>, 'targets' | 'metadata'>,
): Omit<EventInput, 'action'> {
  return {
    ...(call.targets === undefined ? {} : { targets: call.targets }),
    ...(call.metadata === undefined ? {} : { metadata: call.metadata }),
  };
}

export interface PendingIntent {
  /** Null until the chainer has chained the intent. */
  readonly seq: number | null;
  readonly action: string;
  readonly correlation_id: string | null;
  readonly occurred_at: Date;
}

/** Intents older than `olderThanSeconds` that never got an outcome. */
export async function listPendingIntents(
  tx: TenantTx,
  olderThanSeconds = 0,
): Promise<PendingIntent[]> {
  if (olderThanSeconds < 0)
    throw new AppError('validation_failed', 'olderThanSeconds must be >= 0');
  const rows = await tx
    .selectFrom('audit_log as i')
    .select(['i.id', 'i.seq', 'i.action', 'i.correlation_id', 'i.occurred_at'])
    .where('i.action', 'like', '%.intent')
    .where('i.occurred_at', '<', new Date(Date.now() - olderThanSeconds * 1000))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('audit_log as o')
            .select('o.id')
            .whereRef('o.correlation_id', '=', 'i.correlation_id')
            .where('o.action', 'like', '%.outcome')
            .where((eb) =>
              eb(
                eb.cast(eb.ref('i.id'), 'text'),
                '=',
                eb.ref('o.metadata', '->>').key('intent_id'),
              ),
            ),
        ),
      ),
    )
    .orderBy('i.id')
    .execute();
  return rows.map((r) => ({
    seq: r.seq === null ? null : Number(r.seq),
    action: r.action,
    correlation_id: r.correlation_id,
    occurred_at: r.occurred_at,
  }));
}
