/**
 * The price table shipped with the source: USD per million tokens, as
 * decimal strings (money is never a float here; pricing/money.ts turns them
 * into integer micro-dollars). Each figure names its source and the date it
 * was stated there. Prices change: an operator corrects or adds one with
 * WARDROOM_LLM_PRICES (docs/gateway.md) without waiting for a release.
 *
 * `maxOutputTokens` is the model's documented output ceiling, used as the
 * worst case when a request does not set its own limit. `longContext` is the
 * higher rate a model charges for the whole request once input passes a
 * threshold.
 */
import type { ProviderName } from '../providers/types.js';

export interface PriceEntry {
  readonly provider: ProviderName;
  readonly model: string;
  /** Other names the provider accepts for the same model (dated snapshots match by their base name). */
  readonly aliases?: readonly string[];
  readonly input: string;
  readonly output: string;
  readonly maxOutputTokens: number;
  readonly longContext?: {
    readonly aboveInputTokens: number;
    readonly input: string;
    readonly output: string;
  };
  readonly source: string;
  /** When the source stated the figure (ISO date, or month when the source gave only that). */
  readonly asOf: string;
}

const ANTHROPIC = 'https://docs.anthropic.com/en/docs/about-claude/pricing';
const OPENAI = 'https://platform.openai.com/docs/pricing';

const anthropic = (
  model: string,
  input: string,
  output: string,
  maxOutputTokens: number,
  asOf: string,
  extra: Partial<PriceEntry> = {},
): PriceEntry => ({
  provider: 'anthropic',
  model,
  input,
  output,
  maxOutputTokens,
  source: ANTHROPIC,
  asOf,
  ...extra,
});

const openai = (
  model: string,
  input: string,
  output: string,
  maxOutputTokens: number,
  asOf: string,
): PriceEntry => ({
  provider: 'openai',
  model,
  input,
  output,
  maxOutputTokens,
  source: OPENAI,
  asOf,
});

const sonnetLong = { aboveInputTokens: 200_000, input: '6', output: '22.5' };

export const PRICES: readonly PriceEntry[] = [
  anthropic('claude-opus-4-6', '5', '25', 128_000, '2026-03-21'),
  anthropic('claude-sonnet-4-6', '3', '15', 64_000, '2026-03-21'),
  anthropic('claude-opus-4-5', '5', '25', 64_000, '2026-03-21'),
  anthropic('claude-sonnet-4-5', '3', '15', 64_000, '2026-03-21', { longContext: sonnetLong }),
  anthropic('claude-haiku-4-5', '1', '5', 64_000, '2026-03-21'),
  anthropic('claude-opus-4-1', '15', '75', 32_000, '2026-03-21'),
  anthropic('claude-opus-4', '15', '75', 32_000, '2026-03-21', { aliases: ['claude-opus-4-0'] }),
  anthropic('claude-sonnet-4', '3', '15', 64_000, '2026-03-21', {
    aliases: ['claude-sonnet-4-0'],
    longContext: sonnetLong,
  }),
  anthropic('claude-3-7-sonnet', '3', '15', 64_000, '2025-08', {
    aliases: ['claude-3-7-sonnet-latest'],
  }),
  anthropic('claude-3-5-haiku', '0.8', '4', 8_192, '2025-08', {
    aliases: ['claude-3-5-haiku-latest'],
  }),
  anthropic('claude-3-haiku', '0.25', '1.25', 4_096, '2026-03-21'),
  openai('gpt-5', '1.25', '10', 128_000, '2026-03'),
  openai('gpt-5-mini', '0.25', '2', 128_000, '2026-03'),
  openai('gpt-5-nano', '0.05', '0.4', 128_000, '2026-03'),
  openai('gpt-4.1', '2', '8', 32_768, '2026-06-21'),
  openai('gpt-4.1-mini', '0.4', '1.6', 32_768, '2026-06-21'),
  openai('gpt-4.1-nano', '0.1', '0.4', 32_768, '2026-03'),
  openai('gpt-4o', '2.5', '10', 16_384, '2026-03'),
  openai('gpt-4o-mini', '0.15', '0.6', 16_384, '2026-03'),
  openai('o3', '2', '8', 100_000, '2026-03'),
  openai('o3-mini', '1.1', '4.4', 100_000, '2026-03'),
  openai('o4-mini', '1.1', '4.4', 100_000, '2026-03'),
  openai('text-embedding-3-small', '0.02', '0', 0, '2026-06-21'),
  openai('text-embedding-3-large', '0.13', '0', 0, '2026-03'),
  openai('text-embedding-ada-002', '0.1', '0', 0, '2026-03'),
];
