import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../base/config.js';

describe('LLM upstream configuration', () => {
  it('defaults to the official endpoints', () => {
    const config = loadConfig({});
    expect(config.llm).toMatchObject({
      anthropicBaseUrl: 'https://api.anthropic.com',
      openaiBaseUrl: 'https://api.openai.com/v1',
      timeoutMs: 60_000,
      maxAttempts: 3,
      priceOverrides: undefined,
    });
  });

  it('takes a loopback fake or an https endpoint, without trailing slash', () => {
    const config = loadConfig({
      WARDROOM_ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999/',
      WARDROOM_OPENAI_BASE_URL: 'https://eu.example.com/openai/v1/',
      WARDROOM_LLM_PRICES: '{"openai:x": {"input": "1", "output": "2"}}',
    });
    expect(config.llm.anthropicBaseUrl).toBe('http://127.0.0.1:9999');
    expect(config.llm.openaiBaseUrl).toBe('https://eu.example.com/openai/v1');
    expect(config.llm.priceOverrides).toEqual({ 'openai:x': { input: '1', output: '2' } });
  });

  it.each([
    ['WARDROOM_OPENAI_BASE_URL', 'http://api.example.com/v1'],
    ['WARDROOM_ANTHROPIC_BASE_URL', 'ftp://127.0.0.1'],
    ['WARDROOM_ANTHROPIC_BASE_URL', 'not a url'],
    ['WARDROOM_LLM_PRICES', '{not json'],
    ['WARDROOM_LLM_TIMEOUT_MS', '5'],
    ['WARDROOM_LLM_MAX_ATTEMPTS', '0'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });
});
