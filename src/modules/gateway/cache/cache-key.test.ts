import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalRequest, DEFAULT_NAMESPACE } from './cache-key.js';

const ws = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const request = {
  operation: 'openai.chat_completions' as const,
  model: 'gpt-4o',
  body: { model: 'gpt-4o', temperature: 0.5, messages: [{ role: 'user', content: 'hello' }] },
};

describe('cacheKey', () => {
  it('is namespace, version, workspace id and a hex HMAC, with no request text', () => {
    const key = cacheKey(DEFAULT_NAMESPACE, ws, randomBytes(32), request);
    expect(key.storeKey).toBe(`wardroom:llm-cache:v1:${ws}:${key.digest}`);
    expect(key.digest).toMatch(/^[0-9a-f]{64}$/);
    for (const text of ['hello', 'gpt-4o', 'openai', 'user']) {
      expect(key.storeKey).not.toContain(text);
    }
  });

  it('ignores key order and number spelling, and nothing else', () => {
    const salt = randomBytes(32);
    const reordered = {
      ...request,
      body: { messages: [{ content: 'hello', role: 'user' }], temperature: 5e-1, model: 'gpt-4o' },
    };
    expect(canonicalRequest(reordered)).toBe(canonicalRequest(request));
    expect(cacheKey('', ws, salt, reordered).digest).toBe(cacheKey('', ws, salt, request).digest);
    const variants = [
      { ...request, model: 'gpt-4o-mini' },
      { ...request, operation: 'openai.responses' as const },
      { ...request, body: { ...request.body, temperature: 0.6 } },
    ];
    for (const v of variants) {
      expect(cacheKey('', ws, salt, v).digest).not.toBe(cacheKey('', ws, salt, request).digest);
    }
  });

  it('gives unrelated digests under two salts (two workspaces)', () => {
    const a = cacheKey('', ws, randomBytes(32), request);
    const b = cacheKey('', ws, randomBytes(32), request);
    expect(a.digest).not.toBe(b.digest);
  });
});
