/**
 * Master keys held in process memory (the `env` and `file` providers): one
 * KEK id, several numbered versions. New wraps use the current version; a
 * wrapped key names its version, which must still be configured to unwrap.
 * Wrapping is XChaCha20-Poly1305 with the KEK id and version, the tenant, the
 * data key's id and the data key's version as associated data.
 */
import { AppError } from '../../../base/errors.js';
import { aeadOpen, aeadSeal, KEY_BYTES, NONCE_BYTES, randomNonce } from '../primitives/aead.js';
import {
  assertKekId,
  notConfigured,
  type KekProvider,
  type WrapContext,
  type WrappedKey,
} from './provider.js';

export interface LocalKeySet {
  readonly id: string;
  readonly current: number;
  readonly keys: ReadonlyMap<number, Uint8Array>;
}

export function localKeks(set: LocalKeySet): KekProvider {
  const { id, current } = set;
  const keys = new Map<number, Buffer>();
  for (const [version, key] of set.keys) {
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new AppError(
        'config_invalid',
        `KEK ${id}: version ${version} is not a positive integer`,
      );
    }
    if (key.byteLength !== KEY_BYTES) {
      throw new AppError('config_invalid', `KEK ${id} v${version} is not ${KEY_BYTES} bytes`);
    }
    keys.set(version, Buffer.from(key));
  }
  const found = keys.get(current);
  if (found === undefined) {
    throw new AppError('config_invalid', `KEK ${id}: current version ${current} has no key`);
  }
  const currentKey: Buffer = found;

  function wrapCurrent(dek: Uint8Array, context: WrapContext): WrappedKey {
    const nonce = randomNonce();
    const sealed = aeadSeal(currentKey, nonce, dek, wrapAad(id, current, context));
    return { kekId: id, kekVersion: current, wrapped: Buffer.concat([nonce, sealed]) };
  }

  function unwrapLocal(wrapped: WrappedKey, context: WrapContext): Buffer {
    assertKekId({ id }, wrapped);
    const key = keys.get(wrapped.kekVersion);
    if (key === undefined) throw notConfigured(wrapped);
    const nonce = wrapped.wrapped.subarray(0, NONCE_BYTES);
    const body = wrapped.wrapped.subarray(NONCE_BYTES);
    return aeadOpen(key, nonce, body, wrapAad(id, wrapped.kekVersion, context));
  }

  return {
    id,
    version: current,
    wrap: (dek, context) => Promise.resolve().then(() => wrapCurrent(dek, context)),
    unwrap: (wrapped, context) => Promise.resolve().then(() => unwrapLocal(wrapped, context)),
    rewrap: (wrapped, context) =>
      Promise.resolve().then(() => {
        const dek = unwrapLocal(wrapped, context);
        try {
          return wrapCurrent(dek, context);
        } finally {
          dek.fill(0);
        }
      }),
  };
}

/**
 * One in-memory master key. The id does not depend on the key bytes: it
 * defaults to the `env` provider's default, so a key given here and the same
 * key given as WARDROOM_MASTER_KEY wrap and unwrap each other's data keys.
 */
export function localKek(masterKey: Uint8Array, version = 1, id = 'env:default'): KekProvider {
  return localKeks({ id, current: version, keys: new Map([[version, masterKey]]) });
}

function wrapAad(kekId: string, kekVersion: number, c: WrapContext): Buffer {
  return Buffer.from(
    `wardroom.dek.v1\0${kekId}\0${kekVersion}\0${c.tenantId}\0${c.keyId}\0${c.version}`,
  );
}
