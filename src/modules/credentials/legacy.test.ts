import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fernetEncrypt, secretboxSeal } from '../crypto/index.js';
import { decryptLegacy } from './legacy.js';

const fernetKey = randomBytes(32).toString('base64url') + '=';
const boxKey = randomBytes(32);
const fernet = (kind: 'oauth' | 'webhook_api_key', text: string) =>
  decryptLegacy({ format: 'fernet', key: fernetKey, kind, provider: 'custom' }, text);
const secretbox = (text: string, key = boxKey.toString('base64')) =>
  decryptLegacy({ format: 'secretbox', key, kind: 'webhook_api_key', provider: 'custom' }, text);
const box = (plaintext: string) => {
  const nonce = randomBytes(24);
  return { nonce, box: secretboxSeal(boxKey, nonce, Buffer.from(plaintext)) };
};

describe('decryptLegacy', () => {
  it('reads Fernet tokens, bare or as JSON lines with labels, skipping blanks and comments', () => {
    const a = `hook-a-${randomBytes(8).toString('hex')}`;
    const b = `hook-b-${randomBytes(8).toString('hex')}`;
    const text = [
      '# exported 2024-05-01',
      fernetEncrypt(fernetKey, a),
      '',
      JSON.stringify({ token: fernetEncrypt(fernetKey, b), label: 'Zapier hook' }),
    ].join('\r\n');
    expect(fernet('webhook_api_key', text)).toEqual([
      { line: 2, label: undefined, secret: { value: a } },
      { line: 4, label: 'Zapier hook', secret: { value: b } },
    ]);
  });

  it('reads an OAuth token set from a Fernet token', () => {
    const set = { access_token: 'ya29.a0AfH6SM-example', refresh_token: '1//0g-refresh-example' };
    expect(fernet('oauth', fernetEncrypt(fernetKey, JSON.stringify(set)))).toEqual([
      { line: 1, label: undefined, secret: set },
    ]);
    expect(() => fernet('oauth', fernetEncrypt(fernetKey, 'not-json-at-all'))).toThrow(
      /line 1: the decrypted value must be a JSON token set/,
    );
  });

  it('reads secretboxes as base64(nonce||box) or JSON lines', () => {
    const one = box('first-secret-value');
    const two = box('second-secret-value');
    const text = [
      Buffer.concat([one.nonce, one.box]).toString('base64'),
      JSON.stringify({
        nonce: two.nonce.toString('base64'),
        box: two.box.toString('base64'),
        label: 'L',
      }),
    ].join('\n');
    expect(secretbox(text)).toEqual([
      { line: 1, label: undefined, secret: { value: 'first-secret-value' } },
      { line: 2, label: 'L', secret: { value: 'second-secret-value' } },
    ]);
  });

  it('fails on the first bad entry with its line number, never quoting a plaintext', () => {
    const plaintext = `plaintext-${randomBytes(8).toString('hex')}`;
    const good = fernetEncrypt(fernetKey, plaintext);
    const tampered = good.slice(0, 20) + (good[20] === 'A' ? 'B' : 'A') + good.slice(21);
    const attempts: [string, RegExp][] = [
      [`${good}\n${tampered}`, /^line 2: fernet token rejected/],
      [`${good}\n\n{"token": 1}`, /^line 3: expected \{"token"/],
      [`${good}\n{not json ${plaintext}`, /^line 2: not valid JSON$/],
      [
        fernetEncrypt(randomBytes(32).toString('base64url') + '=', plaintext),
        /^line 1: fernet token rejected: bad hmac/,
      ],
      [fernetEncrypt(fernetKey, 'has a space in it'), /^line 1: the decrypted value must be/],
      ['# nothing but comments', /no entries/],
    ];
    for (const [text, message] of attempts) {
      let error: unknown;
      try {
        fernet('webhook_api_key', text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(plaintext);
    }
    expect(() =>
      secretbox(Buffer.concat([box('x-secret-value').nonce, randomBytes(20)]).toString('base64')),
    ).toThrow(/^line 1: secretbox open failed/);
  });

  it('checks the key before reading anything', () => {
    expect(() =>
      decryptLegacy(
        { format: 'fernet', key: 'short', kind: 'webhook_api_key', provider: 'custom' },
        'x',
      ),
    ).toThrow(/WARDROOM_IMPORT_KEY must be a Fernet key/);
    expect(() => secretbox('x', randomBytes(16).toString('base64'))).toThrow(
      /WARDROOM_IMPORT_KEY must be base64 of a 32-byte secretbox key/,
    );
  });

  it('applies the kind and provider rules to each decrypted value', () => {
    const token = fernetEncrypt(fernetKey, 'sk-not-anthropic-key');
    expect(() =>
      decryptLegacy(
        { format: 'fernet', key: fernetKey, kind: 'llm_api_key', provider: 'anthropic' },
        token,
      ),
    ).toThrow(/^line 1: anthropic API keys start with sk-ant-/);
  });
});
