/**
 * The `vault-transit` provider: HashiCorp Vault's (or OpenBao's) transit
 * secrets engine over its HTTP API. The master key never leaves Vault: data
 * keys are created with `datakey/plaintext`, wrapped with `encrypt`,
 * unwrapped with `decrypt` and moved to the newest key version with
 * `rewrap`, always with a derivation `context` binding the tenant, the data
 * key's id and its version.
 *
 * The transit key must be created with `derived=true`: Vault ignores the
 * context of a key that is not derived, which would silently drop the
 * binding, so the provider reads the key at start (the token needs `read` on
 * `<mount>/keys/<name>`) and refuses one that is not derived. The KEK version
 * is the `vN` of Vault's `vault:vN:` ciphertext prefix and is recorded as
 * `kek_version`; Vault decides which versions still decrypt
 * (`min_decryption_version`).
 */
import { AppError } from '../../../base/errors.js';
import {
  assertKekId,
  contextBytes,
  DATA_KEY_BYTES,
  type KekProvider,
  type WrapContext,
  type WrappedKey,
} from './provider.js';

export interface VaultTransitOptions {
  /** VAULT_ADDR, e.g. https://vault.internal:8200 */
  readonly addr: string;
  readonly token: string;
  /** Mount path of the transit engine (default `transit`). */
  readonly mount?: string;
  /** Name of the transit key. */
  readonly key: string;
  /** Recorded as `kek_id` (default `vault-transit:<mount>/<key>`). */
  readonly id?: string | undefined;
  readonly timeoutMs?: number;
}

const CIPHERTEXT = /^vault:v([1-9][0-9]{0,9}):[A-Za-z0-9+/]+={0,2}$/;

/** The key version in a `vault:vN:...` ciphertext, or undefined if it is not one. */
export function vaultCiphertextVersion(ciphertext: string): number | undefined {
  const match = CIPHERTEXT.exec(ciphertext);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export async function vaultTransitKek(options: VaultTransitOptions): Promise<KekProvider> {
  const mount = options.mount ?? 'transit';
  const name = options.key;
  const id = options.id ?? `vault-transit:${mount}/${name}`;
  const base = `${options.addr.replace(/\/+$/, '')}/v1/${mount}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const label = `Vault transit key ${mount}/${name}`;

  async function request(
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(`${base}/${path}`, {
        method,
        headers: {
          'X-Vault-Token': options.token,
          'X-Vault-Request': 'true',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AppError('key_unavailable', `${label} is unreachable`, { cause: error });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      json = {};
    }
    if (!response.ok) {
      const errors = isRecord(json) && Array.isArray(json['errors']) ? json['errors'] : [];
      const message = errors.filter((e): e is string => typeof e === 'string').join('; ');
      const refused =
        response.status === 400 &&
        /message authentication failed|invalid ciphertext/i.test(message);
      throw new AppError(
        refused ? 'decryption_failed' : 'key_unavailable',
        `${label}: ${path.split('/')[0] ?? path} answered ${response.status}${message === '' ? '' : `: ${message.slice(0, 300)}`}`,
      );
    }
    const data = isRecord(json) ? json['data'] : undefined;
    if (!isRecord(data)) {
      throw new AppError('key_unavailable', `${label}: ${path} answered without data`);
    }
    return data;
  }

  const info = await request('GET', `keys/${encodeURIComponent(name)}`);
  if (info['derived'] !== true) {
    throw new AppError(
      'config_invalid',
      `${label} is not a derived key, so Vault would ignore the tenant binding; ` +
        `create it with derived=true (vault write -f ${mount}/keys/${name} derived=true)`,
    );
  }
  const latestVersion = info['latest_version'];
  let latest = typeof latestVersion === 'number' && latestVersion > 0 ? latestVersion : 1;

  const path = (op: string) => `${op}/${encodeURIComponent(name)}`;
  const context = (c: WrapContext) => contextBytes(c).toString('base64');

  function wrappedOf(data: Record<string, unknown>): WrappedKey {
    const ciphertext = data['ciphertext'];
    const version = typeof ciphertext === 'string' ? vaultCiphertextVersion(ciphertext) : undefined;
    if (typeof ciphertext !== 'string' || version === undefined) {
      throw new AppError('key_unavailable', `${label} returned no vault:vN: ciphertext`);
    }
    latest = Math.max(latest, version);
    return { kekId: id, kekVersion: version, wrapped: Buffer.from(ciphertext, 'utf8') };
  }

  /** The ciphertext of a wrapped key, checked against the version recorded beside it. */
  function ciphertextOf(wrapped: WrappedKey): string {
    assertKekId({ id }, wrapped);
    const ciphertext = wrapped.wrapped.toString('utf8');
    if (vaultCiphertextVersion(ciphertext) !== wrapped.kekVersion) {
      throw new AppError(
        'decryption_failed',
        `Wrapped data key does not match its recorded ${id} version ${wrapped.kekVersion}`,
      );
    }
    return ciphertext;
  }

  function plaintextOf(data: Record<string, unknown>): Buffer {
    const plaintext = data['plaintext'];
    if (typeof plaintext !== 'string') {
      throw new AppError('key_unavailable', `${label} returned no plaintext`);
    }
    return Buffer.from(plaintext, 'base64');
  }

  return {
    id,
    get version() {
      return latest;
    },
    async wrap(dek, c) {
      const data = await request('POST', path('encrypt'), {
        plaintext: Buffer.from(dek).toString('base64'),
        context: context(c),
      });
      return wrappedOf(data);
    },
    async unwrap(wrapped, c) {
      const ciphertext = ciphertextOf(wrapped);
      return plaintextOf(
        await request('POST', path('decrypt'), { ciphertext, context: context(c) }),
      );
    },
    async rewrap(wrapped, c) {
      const ciphertext = ciphertextOf(wrapped);
      return wrappedOf(await request('POST', path('rewrap'), { ciphertext, context: context(c) }));
    },
    async generateDataKey(c) {
      const data = await request('POST', `datakey/plaintext/${encodeURIComponent(name)}`, {
        bits: DATA_KEY_BYTES * 8,
        context: context(c),
      });
      const wrapped = wrappedOf(data);
      const plaintext = plaintextOf(data);
      if (plaintext.length !== DATA_KEY_BYTES) {
        plaintext.fill(0);
        throw new AppError('key_unavailable', `${label} returned no 32-byte data key`);
      }
      return { plaintext, wrapped };
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
