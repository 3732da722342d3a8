/**
 * Prices by provider and model: the operator's overrides (WARDROOM_LLM_PRICES)
 * first, then the shipped table. A dated snapshot (`gpt-4o-2024-08-06`,
 * `claude-sonnet-4-5-20250929`) is priced as its base model; nothing else is
 * guessed (no prefix matching: `gpt-4o` must not price `gpt-4o-mini`), so an
 * unknown model is refused with `llm_model_unpriced`.
 */
import { z } from 'zod';
import { AppError } from '../../../base/errors.js';
import type { ProviderName } from '../providers/types.js';
import { usdToMicros } from './money.js';
import { PRICES, type PriceEntry } from './prices.js';

/** A price in integer micro-dollars per million tokens. */
export interface ModelPrice {
  readonly provider: ProviderName;
  readonly model: string;
  readonly inputMicrosPerMTok: number;
  readonly outputMicrosPerMTok: number;
  readonly maxOutputTokens: number;
  readonly longContext:
    | {
        readonly aboveInputTokens: number;
        readonly inputMicrosPerMTok: number;
        readonly outputMicrosPerMTok: number;
      }
    | undefined;
  /** `table` (shipped, with its source) or `operator` (WARDROOM_LLM_PRICES). */
  readonly origin: 'table' | 'operator';
}

const usd = z.union([z.string(), z.number().transform(String)]);

/** WARDROOM_LLM_PRICES: `{"<provider>:<model>": {"input", "output", "maxOutputTokens"?}}`. */
export const priceOverridesSchema = z.record(
  z
    .string()
    .regex(
      /^(anthropic|openai):[A-Za-z0-9._:/-]{1,200}$/,
      '"anthropic:<model>" or "openai:<model>"',
    ),
  z.strictObject({
    input: usd,
    output: usd,
    maxOutputTokens: z.number().int().min(0).max(10_000_000).optional(),
  }),
);

const SNAPSHOT_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;

function fromEntry(entry: PriceEntry, origin: ModelPrice['origin']): ModelPrice {
  const what = `price of ${entry.provider}:${entry.model}`;
  return {
    provider: entry.provider,
    model: entry.model,
    inputMicrosPerMTok: usdToMicros(entry.input, what),
    outputMicrosPerMTok: usdToMicros(entry.output, what),
    maxOutputTokens: entry.maxOutputTokens,
    longContext:
      entry.longContext === undefined
        ? undefined
        : {
            aboveInputTokens: entry.longContext.aboveInputTokens,
            inputMicrosPerMTok: usdToMicros(entry.longContext.input, what),
            outputMicrosPerMTok: usdToMicros(entry.longContext.output, what),
          },
    origin,
  };
}

export class PriceBook {
  private readonly prices = new Map<string, ModelPrice>();

  /** `overrides`: WARDROOM_LLM_PRICES parsed; invalid → `config_invalid`. */
  constructor(overrides?: unknown, table: readonly PriceEntry[] = PRICES) {
    for (const entry of table) {
      const price = fromEntry(entry, 'table');
      for (const name of [entry.model, ...(entry.aliases ?? [])]) {
        this.prices.set(`${entry.provider}:${name}`, price);
      }
    }
    if (overrides !== undefined) this.addOverrides(overrides);
  }

  private addOverrides(overrides: unknown): void {
    const parsed = priceOverridesSchema.safeParse(overrides);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new AppError('config_invalid', `WARDROOM_LLM_PRICES: ${problems.join('; ')}`);
    }
    for (const [name, price] of Object.entries(parsed.data)) {
      const [provider, ...rest] = name.split(':') as [ProviderName, ...string[]];
      const model = rest.join(':');
      const shipped = this.prices.get(name);
      const entry: PriceEntry = {
        provider,
        model,
        input: price.input,
        output: price.output,
        maxOutputTokens: price.maxOutputTokens ?? shipped?.maxOutputTokens ?? 0,
        source: 'WARDROOM_LLM_PRICES',
        asOf: 'operator',
      };
      this.prices.set(name, fromEntry(entry, 'operator'));
    }
  }

  /** The model's price, or `llm_model_unpriced`. */
  priceOf(provider: ProviderName, model: string): ModelPrice {
    const exact = this.prices.get(`${provider}:${model}`);
    if (exact !== undefined) return exact;
    const base = model.replace(SNAPSHOT_SUFFIX, '');
    const snapshot = base === model ? undefined : this.prices.get(`${provider}:${base}`);
    if (snapshot !== undefined) return snapshot;
    throw new AppError(
      'llm_model_unpriced',
      `No price is known for ${provider} model "${model.slice(0, 200)}"; the operator can set one in WARDROOM_LLM_PRICES`,
      { details: { provider, model: model.slice(0, 200) } },
    );
  }
}
