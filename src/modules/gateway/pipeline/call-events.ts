/**
 * The two audit events of a call, compact (a stored row under 500 bytes;
 * money in integer micro-dollars, `cost` and `max_cost`):
 * `llm.call.intent`, committed before anything is sent upstream, and
 * `llm.call.outcome`, after; both carry the call id as correlation id, and
 * the outcome names the intent. Only identifiers, counts and money: never a
 * prompt, a completion or a key. A call refused before it was resolved
 * (bad input, an unpriced model, a blocked region) has an outcome only:
 * nothing was about to leave.
 */
import type { TenantTx } from '../../../db/tenant-tx.js';
import { recordEvent } from '../../audit/index.js';
import type { Operation, ProviderName, Usage } from '../providers/types.js';

export const INTENT = 'llm.call.intent';
export const OUTCOME = 'llm.call.outcome';

/** How a call ended. */
export type CallOutcome = 'ok' | 'error' | 'cancelled' | 'refused';

/** What both events say about the call. */
export interface CallFacts {
  readonly operation: Operation;
  readonly provider: ProviderName;
  /** Checked by request-checks.ts (at most 128 characters); cut to 64 here. */
  readonly model: string;
  readonly region?: string;
  readonly legal?: string;
  readonly endpointRegion?: string;
  /** A credential id, `platform` or `offline`: never the key. */
  readonly keyId?: string;
}

type Metadata = Record<string, string | number | boolean | null>;

/** The operation names its provider (`anthropic.messages`), so the provider is not repeated. */
function factsMetadata(facts: CallFacts): Metadata {
  return {
    op: facts.operation,
    model: facts.model.slice(0, 64),
    ...(facts.region === undefined ? {} : { region: facts.region }),
    ...(facts.legal === undefined ? {} : { legal: facts.legal }),
    ...(facts.endpointRegion === undefined ? {} : { endpoint_region: facts.endpointRegion }),
    ...(facts.keyId === undefined ? {} : { key_id: facts.keyId }),
  };
}

export async function recordIntent(
  tx: TenantTx,
  facts: CallFacts,
  worstCaseMicros: number,
  stream: boolean,
): Promise<string> {
  return recordEvent(tx, {
    action: INTENT,
    metadata: { ...factsMetadata(facts), max_cost: worstCaseMicros, stream },
  });
}

export interface OutcomeFacts {
  readonly intentId: string | undefined;
  readonly outcome: CallOutcome;
  readonly errorCode?: string;
  readonly cacheHit: boolean;
  readonly usage: Usage;
  readonly costMicros: number;
  readonly latencyMs: number;
}

export async function recordOutcome(
  tx: TenantTx,
  facts: CallFacts,
  outcome: OutcomeFacts,
): Promise<string> {
  return recordEvent(tx, {
    action: OUTCOME,
    metadata: {
      // After an intent, the outcome names it and does not repeat its facts.
      ...(outcome.intentId === undefined ? factsMetadata(facts) : { intent_id: outcome.intentId }),
      outcome: outcome.outcome,
      ...(outcome.errorCode === undefined ? {} : { error_code: outcome.errorCode }),
      cache_hit: outcome.cacheHit,
      in_tokens: outcome.usage.inputTokens,
      out_tokens: outcome.usage.outputTokens,
      cost: outcome.costMicros,
      latency_ms: outcome.latencyMs,
    },
  });
}
