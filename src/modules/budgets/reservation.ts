/**
 * A held reservation: exactly one of `settle` and `release` takes effect, by
 * a conditional UPDATE of the ledger row still in status 'reserved', in
 * whichever process calls it; the second call changes nothing. Both run in
 * the caller's transaction. `settle` records the actual cost (above the
 * reservation too: the truth) and runs the velocity tripwire there; what it
 * answers starts, once the caller has committed, the soft-limit notices and
 * the suspension emails (best effort, in the background).
 */
import { sql } from 'kysely';
import { AppError } from '../../base/errors.js';
import type { Database } from '../../db/database.js';
import { systemPrincipal } from '../../db/principal.js';
import type { CallScope, Reservation, Settlement } from '../gateway/index.js';
import type { Mailer } from '../mail/index.js';
import { keyLabel, type KeyColumns } from './key-ref.js';
import { checkAmount } from './micros.js';
import { notifyMembers, usd } from './notify.js';
import { noticeSoftLimits, softNoticeMayBeDue } from './soft-notice.js';
import { checkVelocity, type Tripped, type VelocitySettings } from './tripwire.js';

export interface ReservationContext {
  readonly db: Pick<Database, 'withTenant'>;
  readonly mailer: Pick<Mailer, 'send'> | undefined;
  readonly velocity: VelocitySettings;
  /** Runs work after the caller's answer, logging its failure. */
  readonly background: (work: () => Promise<void>) => void;
}

export function openReservation(
  context: ReservationContext,
  callId: string,
  scope: CallScope,
  key: KeyColumns,
  abandon: () => Promise<void>,
): Reservation {
  const nothing = () => undefined;
  return {
    id: callId,
    async settle(tx, actual: Settlement) {
      checkSettlement(actual);
      const updated = await sql<{ id: string }>`
        UPDATE llm_usage
           SET status = 'settled', settled_micros = ${actual.costMicros},
               tokens_in = ${actual.usage.inputTokens}, tokens_out = ${actual.usage.outputTokens},
               cache_hit = ${actual.cacheHit}, finished_at = now()
         WHERE id = ${callId} AND status = 'reserved'
         RETURNING id`.execute(tx);
      if (updated.rows.length === 0 || actual.costMicros === 0n) return nothing;
      const tripped = await checkVelocity(tx, key, context.velocity);
      const softDue = await softNoticeMayBeDue(tx, scope);
      if (tripped === null && !softDue) return nothing;
      return () => afterSettle(context, scope, callId, tripped, softDue);
    },
    async release(tx) {
      await sql`
        UPDATE llm_usage SET status = 'released', finished_at = now()
         WHERE id = ${callId} AND status = 'reserved'`.execute(tx);
    },
    abandon,
  };
}

/** After a settlement with a cost committed: the suspension emails, the soft-limit notices. */
function afterSettle(
  context: ReservationContext,
  scope: CallScope,
  callId: string,
  tripped: Tripped | null,
  softDue: boolean,
): void {
  const system = systemPrincipal(scope.workspaceId, 'llm-budgets', callId);
  if (tripped !== null) {
    context.background(async () => {
      if (context.mailer === undefined) return;
      await notifyMembers(context.db, context.mailer, system, 'owners', (to) => ({
        to,
        template: 'llm_key_suspended',
        data: {
          workspaceId: scope.workspaceId,
          key: keyLabel(tripped.key),
          windowMinutes: Math.max(1, Math.round(context.velocity.windowSeconds / 60)),
          spentUsd: usd(tripped.windowMicros),
          thresholdUsd: usd(tripped.thresholdMicros),
        },
      }));
    });
  }
  if (softDue)
    context.background(() => noticeSoftLimits(context.db, context.mailer, system, scope));
}

function checkSettlement(actual: Settlement): void {
  checkAmount(actual.costMicros, 'costMicros');
  for (const n of [actual.usage.inputTokens, actual.usage.outputTokens]) {
    if (!Number.isSafeInteger(n) || n < 0 || n > 1_000_000_000) {
      throw new AppError(
        'validation_failed',
        'Bad settlement: token counts must be whole numbers from 0',
      );
    }
  }
}
