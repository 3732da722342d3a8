/**
 * The two audit events of a call, compact (well under 500 bytes a row):
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

function factsMetadata(facts: CallFacts): Metadata {
  return {
    op: facts.operation,
    provider: facts.provider,
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
    metadata: { ...factsMetadata(facts), max_cost_micros: worstCaseMicros, stream },
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
      ...(outcome.intentId === undefined ? {} : { intent_id: outcome.intentId }),
      ...factsMetadata(facts),
      outcome: outcome.outcome,
      ...(outcome.errorCode === undefined ? {} : { error_code: outcome.errorCode }),
      cache_hit: outcome.cacheHit,
      input_tokens: outcome.usage.inputTokens,
      output_tokens: outcome.usage.outputTokens,
      cost_micros: outcome.costMicros,
      latency_ms: outcome.latencyMs,
    },
  });
}
