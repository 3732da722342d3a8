/**
 * A local stand-in for HashiCorp Vault's (and OpenBao's) transit engine over
 * its HTTP API, for the endpoints Wardroom uses: key create/read/rotate/config/delete,
 * encrypt, decrypt, rewrap and datakey. Requests need `X-Vault-Token`. As in
 * Vault, a key is deleted only after its config set `deletion_allowed`, and
 * a deleted key answers every operation with 400 "encryption key not found".
 *
 * Keys keep numbered versions (rotation adds one; `min_decryption_version`
 * retires old ones). Ciphertexts are `vault:vN:` + base64(AES-256-GCM). For a
 * key created with `derived=true` the per-request key is HKDF-SHA256 of the
 * version's key with the base64-decoded `context`, so another context fails
 * with 400 "cipher: message authentication failed", as Vault answers. A key
 * that is not derived ignores the context, as Vault does. Unlike Vault, encrypt
 * does not create a missing key (no upsert).
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { gcmOpen, gcmSeal, isRecord, listen, parseJson, sendJson } from './fake-http.js';

export interface FakeVault {
  readonly addr: string;
  readonly token: string;
  /** `<method> <path under the mount>` per request received, e.g. `POST decrypt/wardroom`. */
  readonly calls: string[];
  /** Whether a transit key of this name exists. */
  hasKey(name: string): boolean;
  close(): Promise<void>;
}

interface TransitKey {
  readonly derived: boolean;
  readonly versions: Buffer[]; // version n at index n-1
  minDecryptionVersion: number;
  deletionAllowed: boolean;
}

class VaultError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakeVault(
  options: { mount?: string; tls?: { cert: string; key: string } } = {},
): Promise<FakeVault> {
  const mount = options.mount ?? 'transit';
  const token = `hvs.${randomBytes(18).toString('base64url')}`;
  const keys = new Map<string, TransitKey>();
  const calls: string[] = [];

  function keyNamed(name: string): TransitKey {
    const key = keys.get(name);
    if (key === undefined) throw new VaultError(400, 'encryption key not found');
    return key;
  }

  function material(key: TransitKey, version: number, context: unknown): Buffer {
    const base = key.versions[version - 1];
    if (base === undefined) throw new VaultError(400, 'invalid key version');
    if (!key.derived) return base;
    if (typeof context !== 'string' || context === '') {
      throw new VaultError(
        400,
        "missing 'context' for key derivation; the key was created using a derived key, which means additional, per-request information must be included in order to perform operations with the key",
      );
    }
    return Buffer.from(
      hkdfSync('sha256', base, Buffer.alloc(0), Buffer.from(context, 'base64'), 32),
    );
  }

  function encrypt(key: TransitKey, plaintext: Buffer, context: unknown) {
    const version = key.versions.length;
    const sealed = gcmSeal(material(key, version, context), plaintext, Buffer.alloc(0));
    return { ciphertext: `vault:v${version}:${sealed.toString('base64')}`, key_version: version };
  }

  function decrypt(key: TransitKey, ciphertext: unknown, context: unknown): Buffer {
    if (typeof ciphertext !== 'string') throw new VaultError(400, 'missing ciphertext to decrypt');
    const match = /^vault:v(\d+):(.*)$/.exec(ciphertext);
    if (match === null) throw new VaultError(400, 'invalid ciphertext: no prefix');
    const version = Number(match[1]);
    if (version < key.minDecryptionVersion) {
      throw new VaultError(
        400,
        'ciphertext or signature version is disallowed by policy (too old)',
      );
    }
    const plaintext = gcmOpen(
      material(key, version, context),
      Buffer.from(match[2] ?? '', 'base64'),
      Buffer.alloc(0),
    );
    if (plaintext === undefined) throw new VaultError(400, 'cipher: message authentication failed');
    return plaintext;
  }

  function keyInfo(name: string, key: TransitKey) {
    return {
      name,
      type: 'aes256-gcm96',
      derived: key.derived,
      kdf: key.derived ? 'hkdf_sha256' : undefined,
      latest_version: key.versions.length,
      min_decryption_version: key.minDecryptionVersion,
      min_encryption_version: 0,
      deletion_allowed: key.deletionAllowed,
      supports_encryption: true,
      supports_decryption: true,
      supports_derivation: true,
      keys: Object.fromEntries(key.versions.map((_, i) => [String(i + 1), 1_700_000_000])),
    };
  }

  function handle(method: string, path: string, input: Record<string, unknown>): unknown {
    const prefix = `/v1/${mount}/`;
    if (!path.startsWith(prefix)) throw new VaultError(404, 'no handler for route');
    const parts = path.slice(prefix.length).split('/').map(decodeURIComponent);
    const [op, a, b] = parts;
    calls.push(`${method} ${parts.join('/')}`);
    if (op === 'keys' && a !== undefined && parts.length === 2) {
      if (method === 'GET') {
        const key = keys.get(a);
        if (key === undefined) throw new VaultError(404, '');
        return { data: keyInfo(a, key) };
      }
      if (method === 'DELETE') {
        if (!keyNamed(a).deletionAllowed) {
          throw new VaultError(400, 'deletion is not allowed for this key');
        }
        keys.delete(a);
        return undefined;
      }
      if (!keys.has(a)) {
        keys.set(a, {
          derived: input['derived'] === true,
          versions: [randomBytes(32)],
          minDecryptionVersion: 1,
          deletionAllowed: false,
        });
      }
      return { data: keyInfo(a, keyNamed(a)) };
    }
    if (method !== 'POST') throw new VaultError(405, 'unsupported operation');
    if (op === 'keys' && a !== undefined && b === 'rotate' && parts.length === 3) {
      const key = keyNamed(a);
      key.versions.push(randomBytes(32));
      return { data: keyInfo(a, key) };
    }
    if (op === 'keys' && a !== undefined && b === 'config' && parts.length === 3) {
      const key = keyNamed(a);
      const min = input['min_decryption_version'];
      if (min !== undefined) {
        if (typeof min !== 'number' || min < 1 || min > key.versions.length) {
          throw new VaultError(400, 'invalid min_decryption_version');
        }
        key.minDecryptionVersion = min;
      }
      const allowed = input['deletion_allowed'];
      if (allowed !== undefined) {
        if (typeof allowed !== 'boolean') throw new VaultError(400, 'invalid deletion_allowed');
        key.deletionAllowed = allowed;
      }
      return { data: keyInfo(a, key) };
    }
    if (op === 'encrypt' && a !== undefined && parts.length === 2) {
      const plaintext = input['plaintext'];
      if (typeof plaintext !== 'string') throw new VaultError(400, 'missing plaintext to encrypt');
      return { data: encrypt(keyNamed(a), Buffer.from(plaintext, 'base64'), input['context']) };
    }
    if (op === 'decrypt' && a !== undefined && parts.length === 2) {
      const plaintext = decrypt(keyNamed(a), input['ciphertext'], input['context']);
      return { data: { plaintext: plaintext.toString('base64') } };
    }
    if (op === 'rewrap' && a !== undefined && parts.length === 2) {
      const key = keyNamed(a);
      const plaintext = decrypt(key, input['ciphertext'], input['context']);
      return { data: encrypt(key, plaintext, input['context']) };
    }
    if (
      op === 'datakey' &&
      (a === 'plaintext' || a === 'wrapped') &&
      b !== undefined &&
      parts.length === 3
    ) {
      const bits = input['bits'] ?? 256;
      if (bits !== 128 && bits !== 256 && bits !== 512) {
        throw new VaultError(400, `invalid bits length ${JSON.stringify(bits)}`);
      }
      const plaintext = randomBytes(bits / 8);
      const wrapped = encrypt(keyNamed(b), plaintext, input['context']);
      return {
        data: a === 'plaintext' ? { ...wrapped, plaintext: plaintext.toString('base64') } : wrapped,
      };
    }
    throw new VaultError(404, 'unsupported path');
  }

  function reply(res: ServerResponse, status: number, body: unknown): void {
    sendJson(res, status, body);
  }

  const server = await listen((req, body, res) => {
    if (req.headers['x-vault-token'] !== token) {
      reply(res, 403, { errors: ['permission denied'] });
      return;
    }
    const input = parseJson(body);
    if (!isRecord(input)) {
      reply(res, 400, { errors: ['failed to parse JSON input'] });
      return;
    }
    try {
      const url = new URL(req.url ?? '/', 'http://vault');
      const answer = handle(req.method ?? 'GET', url.pathname, input);
      if (answer === undefined) {
        res.writeHead(204).end();
        return;
      }
      reply(res, 200, answer);
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      reply(res, error.status, { errors: error.message === '' ? [] : [error.message] });
    }
  }, options.tls);

  return {
    addr: server.url,
    token,
    calls,
    hasKey: (name) => keys.has(name),
    close: () => server.close(),
  };
}
