import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../base/config.js';
import { DEFAULT_ROUTES } from '../../base/llm-routes.js';

describe('region routing and platform keys in the configuration', () => {
  it('ships the default table when nothing is set', () => {
    expect(loadConfig({}).llm.routes).toEqual(DEFAULT_ROUTES);
    expect(DEFAULT_ROUTES.eu.anthropic).toEqual([]);
    expect(DEFAULT_ROUTES.eu.legal).toBe('gdpr');
  });

  it('a set base URL replaces the provider in every region; WARDROOM_LLM_ROUTES wins over it', () => {
    const { routes } = loadConfig({
      WARDROOM_ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999/',
      WARDROOM_LLM_ROUTES: JSON.stringify({
        'me-south': { anthropic: [] },
        eu: { legal: 'gdpr-plus', openai: [{ base_url: 'https://eu.example/v1/', region: 'eu' }] },
      }),
    }).llm;
    expect(routes.us.anthropic).toEqual([{ baseUrl: 'http://127.0.0.1:9999', region: 'operator' }]);
    expect(routes.eu.anthropic).toEqual([{ baseUrl: 'http://127.0.0.1:9999', region: 'operator' }]);
    expect(routes['me-south'].anthropic).toEqual([]);
    expect(routes.eu).toMatchObject({
      legal: 'gdpr-plus',
      openai: [{ baseUrl: 'https://eu.example/v1', region: 'eu' }],
    });
    // The unset OpenAI base URL leaves the shipped endpoints.
    expect(routes.us.openai).toEqual(DEFAULT_ROUTES.us.openai);
  });

  it.each([
    ['{not json'],
    ['{"mars": {}}'],
    ['{"eu": {"openai": [{"base_url": "http://eu.example/v1", "region": "eu"}]}}'],
    ['{"eu": {"openai": [{"base_url": "https://u:p@eu.example/v1", "region": "eu"}]}}'],
    ['{"eu": {"openai": [{"base_url": "https://eu.example/v1"}]}}'],
    ['{"eu": {"gemini": []}}'],
  ])('refuses WARDROOM_LLM_ROUTES=%s', (value) => {
    expect(() => loadConfig({ WARDROOM_LLM_ROUTES: value })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });

  it('takes platform keys as secrets that never print, and refuses a malformed one', () => {
    const key = 'sk-ant-api03-platform-key-abcdefgh';
    const { platformKeys } = loadConfig({ WARDROOM_ANTHROPIC_API_KEY: key }).llm;
    expect(platformKeys.anthropic?.reveal()).toBe(key);
    expect(platformKeys.openai).toBeUndefined();
    expect(JSON.stringify(platformKeys) + inspect(platformKeys)).not.toContain('platform-key');
    expect(() => loadConfig({ WARDROOM_ANTHROPIC_API_KEY: 'sk-openai-key-12345678' })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
    expect(() => loadConfig({ WARDROOM_OPENAI_API_KEY: 'not-a-key' })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });
});
