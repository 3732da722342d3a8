import { describe, expect, it } from 'vitest';
import { AppError } from '../../base/errors.js';
import { PriceBook } from '../gateway/index.js';
import { checkModel } from './model-check.js';

const prices = new PriceBook({
  'anthropic:house-model': { input: '1', output: '1' },
  'openai:tiny-model': { input: '1', output: '1', maxOutputTokens: 1000 },
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
}

describe('checkModel', () => {
  it("defaults the output limit to 4096, or the model's ceiling when lower", () => {
    const at = (model: string, provider: 'anthropic' | 'openai') =>
      checkModel(prices, { provider, model, maxOutputTokens: undefined });
    expect(at('claude-sonnet-4-5', 'anthropic')).toBe(4096);
    expect(at('tiny-model', 'openai')).toBe(1000);
    expect(at('claude-sonnet-4-5-20250929', 'anthropic')).toBe(4096);
  });

  it("keeps an edit's limit, lowered to a new model's ceiling", () => {
    expect(
      checkModel(prices, {
        provider: 'openai',
        model: 'gpt-4o',
        maxOutputTokens: undefined,
        keep: 50_000,
      }),
    ).toBe(16_384);
  });

  it('refuses an unpriced model, a model of the other provider, an embedding model, a limit above the ceiling', () => {
    const check = (provider: 'anthropic' | 'openai', model: string, max?: number) => () =>
      checkModel(prices, { provider, model, maxOutputTokens: max });
    expect(codeOf(check('openai', 'gpt-99'))).toBe('llm_model_unpriced');
    expect(codeOf(check('anthropic', 'gpt-4o'))).toBe('validation_failed');
    expect(codeOf(check('openai', 'text-embedding-3-small'))).toBe('validation_failed');
    expect(codeOf(check('openai', 'gpt-4o', 16_385))).toBe('validation_failed');
    expect(codeOf(check('openai', 'gpt-4o', 16_384))).toBeUndefined();
  });

  it("accepts an operator's model with no known ceiling", () => {
    expect(
      checkModel(prices, { provider: 'anthropic', model: 'house-model', maxOutputTokens: 900_000 }),
    ).toBe(900_000);
  });
});
