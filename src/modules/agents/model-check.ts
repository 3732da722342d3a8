/**
 * An agent's provider and model must name a model with a known price, so
 * every run it makes can be budgeted before the call: an unpriced model is
 * refused with `llm_model_unpriced` (the operator can price it with
 * WARDROOM_LLM_PRICES). A model priced only under the other provider is a
 * mismatch, refused with `validation_failed`, naming the provider it
 * belongs to, and so is an embedding model (it writes no text). The output limit may not exceed the model's documented
 * ceiling; when none is given it defaults to the smaller of 4,096 and that
 * ceiling (an edit that changes the model keeps its limit, lowered to the
 * new ceiling if need be).
 */
import { AppError } from '../../base/errors.js';
import type { PriceBook } from '../gateway/index.js';
import type { AgentProvider } from './store.js';

export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

export type Prices = Pick<PriceBook, 'priceOf'>;

function pricedUnder(prices: Prices, provider: AgentProvider, model: string): boolean {
  try {
    prices.priceOf(provider, model);
    return true;
  } catch {
    return false;
  }
}

/**
 * The output limit to store, once provider and model are known to be priced
 * and consistent: `requested` when given (refused above the ceiling), else
 * `keep` (an edit's current limit) lowered to the ceiling, else the default.
 */
export function checkModel(
  prices: Prices,
  input: {
    provider: AgentProvider;
    model: string;
    maxOutputTokens: number | undefined;
    keep?: number | undefined;
  },
): number {
  const other: AgentProvider = input.provider === 'anthropic' ? 'openai' : 'anthropic';
  if (
    !pricedUnder(prices, input.provider, input.model) &&
    pricedUnder(prices, other, input.model)
  ) {
    throw new AppError(
      'validation_failed',
      `model: "${input.model}" is an ${other} model, not an ${input.provider} one`,
    );
  }
  // Throws llm_model_unpriced for a model no provider prices.
  const price = prices.priceOf(input.provider, input.model);
  if (price.maxOutputTokens === 0 && price.origin === 'table') {
    // The shipped table gives embedding models no output: they cannot answer.
    throw new AppError('validation_failed', `model: "${input.model}" writes no text`);
  }
  // An operator's price may leave the ceiling unknown (0): then only the route's bound applies.
  const ceiling = price.maxOutputTokens > 0 ? price.maxOutputTokens : Number.MAX_SAFE_INTEGER;
  if (input.maxOutputTokens === undefined) {
    return Math.min(input.keep ?? DEFAULT_MAX_OUTPUT_TOKENS, ceiling);
  }
  if (input.maxOutputTokens > ceiling) {
    throw new AppError(
      'validation_failed',
      `max_output_tokens: above ${input.model}'s limit of ${ceiling}`,
    );
  }
  return input.maxOutputTokens;
}
