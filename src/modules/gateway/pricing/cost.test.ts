import { describe, expect, it } from 'vitest';
import { AppError } from '../../../base/errors.js';
import {
  actualCost,
  IMAGE_URL_ALLOWANCE_TOKENS,
  TOOL_ALLOWANCE_TOKENS,
  worstCaseCost,
} from './cost.js';
import { costMicros, usdToMicros } from './money.js';
import { PriceBook } from './price-book.js';
import { PRICES } from './prices.js';

const book = new PriceBook();

describe('money', () => {
  it('reads decimal USD exactly as micro-dollars', () => {
    expect(usdToMicros('0', 'x')).toBe(0);
    expect(usdToMicros('0.15', 'x')).toBe(150_000);
    expect(usdToMicros('22.5', 'x')).toBe(22_500_000);
    expect(usdToMicros('0.000001', 'x')).toBe(1);
    expect(usdToMicros('15', 'x')).toBe(15_000_000);
  });

  it.each(['-1', '1e3', '0.0000001', '1,5', '', ' 1', '01', 'NaN', '1000000'])(
    'refuses "%s"',
    (usd) => {
      expect(() => usdToMicros(usd, 'x')).toThrow(AppError);
    },
  );

  it('rounds cost up to the micro-dollar and stays exact past 2^53', () => {
    expect(costMicros(1, 150_000)).toBe(1); // 0.15 µ$ → 1
    expect(costMicros(1_000_000, 3_000_000)).toBe(3_000_000);
    expect(costMicros(333_333, 3_000_000)).toBe(999_999);
    expect(costMicros(333_334, 3_000_000)).toBe(1_000_002);
    expect(costMicros(0, 75_000_000)).toBe(0);
    expect(costMicros(9_000_000_000, 75_000_000)).toBe(675_000_000_000);
  });
});

describe('the shipped table', () => {
  it('names a source URL and a date for every figure, and every figure parses', () => {
    for (const entry of PRICES) {
      expect(entry.source).toMatch(/^https:\/\//);
      expect(entry.asOf).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
      expect(() => book.priceOf(entry.provider, entry.model)).not.toThrow();
    }
  });

  it('prices a dated snapshot as its base model, and never by prefix', () => {
    expect(book.priceOf('anthropic', 'claude-sonnet-4-5-20250929').model).toBe('claude-sonnet-4-5');
    expect(book.priceOf('openai', 'gpt-4o-2024-08-06').model).toBe('gpt-4o');
    expect(book.priceOf('openai', 'gpt-4o-mini').inputMicrosPerMTok).toBe(150_000);
    expect(() => book.priceOf('openai', 'gpt-4o-turbo-preview')).toThrow(/No price/);
    expect(() => book.priceOf('anthropic', 'gpt-4o')).toThrow(/No price/);
  });
});

describe('unknown models and operator prices', () => {
  it('refuses an unpriced model with llm_model_unpriced', () => {
    const error = (() => {
      try {
        worstCaseCost(book, {
          operation: 'openai.chat_completions',
          model: 'my-finetune',
          body: {},
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('llm_model_unpriced');
  });

  it('prices it once the operator sets a price, and lets the operator correct the table', () => {
    const priced = new PriceBook({
      'openai:my-finetune': { input: '0.3', output: '1.2', maxOutputTokens: 1000 },
      'anthropic:claude-haiku-4-5': { input: '2', output: '10' },
    });
    expect(priced.priceOf('openai', 'my-finetune')).toMatchObject({
      inputMicrosPerMTok: 300_000,
      origin: 'operator',
    });
    expect(priced.priceOf('anthropic', 'claude-haiku-4-5')).toMatchObject({
      outputMicrosPerMTok: 10_000_000,
      maxOutputTokens: 64_000,
    });
  });

  it.each([
    { 'openai:x': { input: '-1', output: '1' } },
    { 'openai:x': { input: '1' } },
    { 'mistral:x': { input: '1', output: '1' } },
    { 'openai:x': { input: '1', output: '1', extra: true } },
    ['openai:x'],
  ])('refuses a malformed override %j with config_invalid', (overrides) => {
    expect(() => new PriceBook(overrides)).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });
});

describe('worst case and actual cost', () => {
  const messages = [{ role: 'user', content: 'Hello there, how are you?' }];

  it('reserves body bytes as input and max_tokens as output, at the model price', () => {
    const body = { max_tokens: 1000, messages };
    const bytes = Buffer.byteLength(JSON.stringify(body));
    const estimate = worstCaseCost(book, {
      operation: 'anthropic.messages',
      model: 'claude-haiku-4-5',
      body,
    });
    expect(estimate).toEqual({
      inputTokens: bytes,
      outputTokens: 1000,
      micros: Math.ceil(bytes * 1) + 1000 * 5, // $1 and $5 per MTok: 1 and 5 µ$ a token
    });
  });

  it('uses the model ceiling when the request sets no limit, times n', () => {
    const estimate = worstCaseCost(book, {
      operation: 'openai.chat_completions',
      model: 'gpt-4o',
      body: { messages, n: 3 },
    });
    expect(estimate.outputTokens).toBe(16_384 * 3);
    const limited = worstCaseCost(book, {
      operation: 'openai.chat_completions',
      model: 'gpt-4o',
      body: { messages, max_completion_tokens: 10 },
    });
    expect(limited.outputTokens).toBe(10);
  });

  it('adds allowances for tools and images given by URL', () => {
    const body = {
      max_tokens: 1,
      tools: [{ name: 't', input_schema: { type: 'object' } }],
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }],
        },
      ],
    };
    const estimate = worstCaseCost(book, {
      operation: 'anthropic.messages',
      model: 'claude-haiku-4-5',
      body,
    });
    expect(estimate.inputTokens).toBe(
      Buffer.byteLength(JSON.stringify(body)) + TOOL_ALLOWANCE_TOKENS + IMAGE_URL_ALLOWANCE_TOKENS,
    );
  });

  it('charges the long-context rate past its threshold', () => {
    const long = { max_tokens: 1, messages: [{ role: 'user', content: 'a'.repeat(200_001) }] };
    const estimate = worstCaseCost(book, {
      operation: 'anthropic.messages',
      model: 'claude-sonnet-4-5',
      body: long,
    });
    expect(estimate.micros).toBe(
      costMicros(estimate.inputTokens, 6_000_000) + costMicros(1, 22_500_000),
    );
  });

  it('is never below the actual cost of the tokens it reserved', () => {
    const body = { max_tokens: 500, messages };
    const estimate = worstCaseCost(book, {
      operation: 'anthropic.messages',
      model: 'claude-opus-4-1',
      body,
    });
    const spent = actualCost(book, 'anthropic.messages', 'claude-opus-4-1', {
      inputTokens: 20,
      outputTokens: 500,
    });
    expect(spent).toBe(costMicros(20, 15_000_000) + costMicros(500, 75_000_000));
    expect(estimate.micros).toBeGreaterThanOrEqual(spent);
  });

  it('embeddings reserve no output', () => {
    const estimate = worstCaseCost(book, {
      operation: 'openai.embeddings',
      model: 'text-embedding-3-small',
      body: { input: 'hello' },
    });
    expect(estimate.outputTokens).toBe(0);
  });

  it('refuses token counts that are not non-negative integers', () => {
    expect(() =>
      actualCost(book, 'openai.embeddings', 'text-embedding-3-small', {
        inputTokens: 1.5,
        outputTokens: 0,
      }),
    ).toThrow();
    expect(() =>
      actualCost(book, 'openai.embeddings', 'text-embedding-3-small', {
        inputTokens: -1,
        outputTokens: 0,
      }),
    ).toThrow();
  });
});
