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
import { readFileSync } from 'node:fs';
import { AppError } from '../../../base/errors.js';
import { requireTlsUnlessLoopback } from '../../../base/net.js';
import {
  assertKekId,
  contextBytes,
  DATA_KEY_BYTES,
  type GeneratedDataKey,
  type KekProvider,
  type WrapContext,
  type WrappedKey,
} from './provider.js';
import { exchange, type VaultAnswer } from './vault-http.js';

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
  /**
   * VAULT_CACERT: a PEM file of the CA that signed Vault's certificate, trusted
   * instead of Node's bundled CAs. Certificates are always verified.
   */
  readonly caFile?: string | undefined;
}

const CIPHERTEXT = /^vault:v([1-9][0-9]{0,9}):[A-Za-z0-9+/]+={0,2}$/;

/** The key version in a `vault:vN:...` ciphertext, or undefined if it is not one. */
export function vaultCiphertextVersion(ciphertext: string): number | undefined {
  const match = CIPHERTEXT.exec(ciphertext);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** One configured transit key: how to reach it, what it is recorded as, the latest version seen. */
export interface Transit {
  /** `<addr>/v1/<mount>` */
  readonly base: string;
  readonly token: string;
  readonly timeoutMs: number;
  /** PEM of VAULT_CACERT, when set. */
  readonly ca: string | undefined;
  readonly mount: string;
  readonly name: string;
  readonly id: string;
  /** Names the key in error messages. */
  readonly label: string;
  latest: number;
}

export type Data = Record<string, unknown>;

export async function vaultTransitKek(options: VaultTransitOptions): Promise<KekProvider> {
  const vault = transitOf(options);
  vault.latest = await readDerivedKey(vault);
  return {
    id: vault.id,
    get version() {
      return vault.latest;
    },
    wrap: (dek, c) => encrypt(vault, dek, c),
    unwrap: (wrapped, c) => decrypt(vault, wrapped, c),
    rewrap: (wrapped, c) => rewrap(vault, wrapped, c),
    generateDataKey: (c) => generateDataKey(vault, c),
  };
}

export function transitOf(options: VaultTransitOptions): Transit {
  requireTlsUnlessLoopback(
    options.addr,
    'VAULT_ADDR',
    'Use https:// (with VAULT_CACERT for a private CA).',
  );
  const mount = options.mount ?? 'transit';
  const name = options.key;
  return {
    base: `${options.addr.replace(/\/+$/, '')}/v1/${mount}`,
    token: options.token,
    timeoutMs: options.timeoutMs ?? 10_000,
    ca: options.caFile === undefined ? undefined : readCa(options.caFile),
    mount,
    name,
    id: options.id ?? `vault-transit:${mount}/${name}`,
    label: `Vault transit key ${mount}/${name}`,
    latest: 1,
  };
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('config_invalid', `VAULT_CACERT ${file} cannot be read`, { cause: error });
  }
}

/** The path of an operation on the key, e.g. `encrypt/<name>`. */
function pathOf(vault: Transit, op: string): string {
  return `${op}/${encodeURIComponent(vault.name)}`;
}

/** The derivation context binding a wrapped data key to its place. */
function contextOf(c: WrapContext): string {
  return contextBytes(c).toString('base64');
}

/** Reads the key at start, refuses one that is not derived, and returns its latest version. */
async function readDerivedKey(vault: Transit): Promise<number> {
  const info = await request(vault, 'GET', pathOf(vault, 'keys'));
  if (info['derived'] !== true) {
    throw new AppError(
      'config_invalid',
      `${vault.label} is not a derived key, so Vault would ignore the tenant binding; ` +
        `create it with derived=true (vault write -f ${vault.mount}/keys/${vault.name} derived=true)`,
    );
  }
  const latestVersion = info['latest_version'];
  return typeof latestVersion === 'number' && latestVersion > 0 ? latestVersion : 1;
}

async function encrypt(vault: Transit, dek: Uint8Array, c: WrapContext): Promise<WrappedKey> {
  const data = await request(vault, 'POST', pathOf(vault, 'encrypt'), {
    plaintext: Buffer.from(dek).toString('base64'),
    context: contextOf(c),
  });
  return wrappedOf(vault, data);
}

async function decrypt(vault: Transit, wrapped: WrappedKey, c: WrapContext): Promise<Buffer> {
  const ciphertext = ciphertextOf(vault, wrapped);
  return plaintextOf(
    vault,
    await request(vault, 'POST', pathOf(vault, 'decrypt'), { ciphertext, context: contextOf(c) }),
  );
}

async function rewrap(vault: Transit, wrapped: WrappedKey, c: WrapContext): Promise<WrappedKey> {
  const ciphertext = ciphertextOf(vault, wrapped);
  return wrappedOf(
    vault,
    await request(vault, 'POST', pathOf(vault, 'rewrap'), { ciphertext, context: contextOf(c) }),
  );
}

async function generateDataKey(vault: Transit, c: WrapContext): Promise<GeneratedDataKey> {
  const data = await request(vault, 'POST', pathOf(vault, 'datakey/plaintext'), {
    bits: DATA_KEY_BYTES * 8,
    context: contextOf(c),
  });
  const wrapped = wrappedOf(vault, data);
  const plaintext = plaintextOf(vault, data);
  if (plaintext.length !== DATA_KEY_BYTES) {
    plaintext.fill(0);
    throw new AppError('key_unavailable', `${vault.label} returned no 32-byte data key`);
  }
  return { plaintext, wrapped };
}

/** The wrapped key in an answer, noting its version as the latest seen if it is newer. */
function wrappedOf(vault: Transit, data: Data): WrappedKey {
  const ciphertext = data['ciphertext'];
  const version = typeof ciphertext === 'string' ? vaultCiphertextVersion(ciphertext) : undefined;
  if (typeof ciphertext !== 'string' || version === undefined) {
    throw new AppError('key_unavailable', `${vault.label} returned no vault:vN: ciphertext`);
  }
  vault.latest = Math.max(vault.latest, version);
  return { kekId: vault.id, kekVersion: version, wrapped: Buffer.from(ciphertext, 'utf8') };
}

/** The ciphertext of a wrapped key, checked against the version recorded beside it. */
function ciphertextOf(vault: Transit, wrapped: WrappedKey): string {
  assertKekId(vault, wrapped);
  const ciphertext = wrapped.wrapped.toString('utf8');
  if (vaultCiphertextVersion(ciphertext) !== wrapped.kekVersion) {
    throw new AppError(
      'decryption_failed',
      `Wrapped data key does not match its recorded ${vault.id} version ${wrapped.kekVersion}`,
    );
  }
  return ciphertext;
}

function plaintextOf(vault: Transit, data: Data): Buffer {
  const plaintext = data['plaintext'];
  if (typeof plaintext !== 'string') {
    throw new AppError('key_unavailable', `${vault.label} returned no plaintext`);
  }
  return Buffer.from(plaintext, 'base64');
}

/** Calls Vault and returns the answer's `data`; maps failures to Wardroom's error codes. */
export async function request(
  vault: Transit,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: Data,
): Promise<Data> {
  const response = await send(vault, method, path, body);
  const json = parseJson(response.text);
  if (!response.ok) throw refusal(vault, path, response.status, json);
  // A deletion answers 204 with no body.
  if (response.status === 204) return {};
  const data = isRecord(json) ? json['data'] : undefined;
  if (!isRecord(data)) {
    throw new AppError('key_unavailable', `${vault.label}: ${path} answered without data`);
  }
  return data;
}

async function send(
  vault: Transit,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body: Data | undefined,
): Promise<VaultAnswer> {
  try {
    return await exchange(`${vault.base}/${path}`, {
      method,
      headers: {
        'X-Vault-Token': vault.token,
        'X-Vault-Request': 'true',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ca: vault.ca,
      timeoutMs: vault.timeoutMs,
    });
  } catch (error) {
    throw new AppError('key_unavailable', `${vault.label} is unreachable`, { cause: error });
  }
}

/** The body as JSON; an empty or unparsable one as `{}`. */
function parseJson(text: string): unknown {
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    return {};
  }
}

/**
 * The error for a failed answer: `decryption_failed` when Vault refused the
 * ciphertext, `key_unavailable` otherwise, with Vault's messages (trimmed).
 */
function refusal(vault: Transit, path: string, status: number, json: unknown): AppError {
  const errors = isRecord(json) && Array.isArray(json['errors']) ? json['errors'] : [];
  const message = errors.filter((e): e is string => typeof e === 'string').join('; ');
  const refused =
    status === 400 && /message authentication failed|invalid ciphertext/i.test(message);
  return new AppError(
    refused ? 'decryption_failed' : 'key_unavailable',
    `${vault.label}: ${path.split('/')[0] ?? path} answered ${status}${message === '' ? '' : `: ${message.slice(0, 300)}`}`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
