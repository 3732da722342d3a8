/**
 * What a call may cost before it is sent, and what it did cost after, in
 * integer micro-dollars. The worst case is an upper bound a budget can
 * reserve safely:
 * - input: the request body's UTF-8 byte count. Every token of a byte-level
 *   BPE tokenizer covers at least one byte of the text, and the JSON around
 *   the text (keys, quotes, roles) outweighs the few tokens each message
 *   adds; plus a fixed allowance for the system prompt a provider adds for
 *   tools, and a per-image allowance for images given by URL (their bytes
 *   are not in the body);
 * - output: the request's own limit (`max_tokens`, `max_completion_tokens`,
 *   `max_output_tokens`), else the model's documented ceiling, times `n`;
 * - at the long-context rate when the estimate passes its threshold.
 */
import { AppError } from '../../../base/errors.js';
import { operationProvider, type Operation, type Usage } from '../providers/types.js';
import { costMicros } from './money.js';
import type { ModelPrice, PriceBook } from './price-book.js';

/** Tokens a provider may add around tools (Anthropic documents up to ~530). */
export const TOOL_ALLOWANCE_TOKENS = 1024;
/** Tokens an image given by URL may cost (Anthropic caps an image near 1,600). */
export const IMAGE_URL_ALLOWANCE_TOKENS = 2048;

export interface CostEstimate {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly micros: number;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function outputLimit(
  operation: Operation,
  body: Readonly<Record<string, unknown>>,
): number | undefined {
  switch (operation) {
    case 'anthropic.messages':
      return positiveInt(body['max_tokens']);
    case 'openai.chat_completions':
      return positiveInt(body['max_completion_tokens']) ?? positiveInt(body['max_tokens']);
    case 'openai.responses':
      return positiveInt(body['max_output_tokens']);
    case 'openai.embeddings':
      return 0;
  }
}

function countMatches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

function estimateInput(body: Readonly<Record<string, unknown>>): number {
  const text = JSON.stringify(body);
  const hasTools = Array.isArray(body['tools']) && body['tools'].length > 0;
  const imageUrls = countMatches(text, /"(image_url|url)"\s*:/g);
  return (
    Buffer.byteLength(text, 'utf8') +
    (hasTools ? TOOL_ALLOWANCE_TOKENS : 0) +
    imageUrls * IMAGE_URL_ALLOWANCE_TOKENS
  );
}

function rates(price: ModelPrice, inputTokens: number): { input: number; output: number } {
  const long = price.longContext;
  return long !== undefined && inputTokens > long.aboveInputTokens
    ? { input: long.inputMicrosPerMTok, output: long.outputMicrosPerMTok }
    : { input: price.inputMicrosPerMTok, output: price.outputMicrosPerMTok };
}

function priced(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  const rate = rates(price, inputTokens);
  return costMicros(inputTokens, rate.input) + costMicros(outputTokens, rate.output);
}

/** The most the request can cost; `llm_model_unpriced` when its model has no price. */
export function worstCaseCost(
  prices: PriceBook,
  request: {
    readonly operation: Operation;
    readonly model: string;
    readonly body: Readonly<Record<string, unknown>>;
  },
): CostEstimate {
  const price = prices.priceOf(operationProvider[request.operation], request.model);
  const inputTokens = estimateInput(request.body);
  const choices =
    request.operation === 'openai.chat_completions' ? (positiveInt(request.body['n']) ?? 1) : 1;
  const limit = outputLimit(request.operation, request.body) ?? price.maxOutputTokens;
  const outputTokens = limit * choices;
  return { inputTokens, outputTokens, micros: priced(price, inputTokens, outputTokens) };
}

/** What the call cost by the provider's own count. */
export function actualCost(
  prices: PriceBook,
  operation: Operation,
  model: string,
  usage: Usage,
): number {
  for (const tokens of [usage.inputTokens, usage.outputTokens]) {
    if (!Number.isSafeInteger(tokens) || tokens < 0) {
      throw new AppError('internal', 'token counts must be non-negative integers');
    }
  }
  const price = prices.priceOf(operationProvider[operation], model);
  return priced(price, usage.inputTokens, usage.outputTokens);
}
