/**
 * Master keys (KEKs) wrap the per-workspace data keys. Every provider has an
 * id and versions, and every wrapped key records both, so rotation and new
 * providers (KMS, Vault transit) slot in behind this interface.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../errors.js';
import { aeadOpen, aeadSeal, NONCE_BYTES, randomNonce } from './primitives/aead.js';

/** What a wrapped data key is bound to; a wrapped key moved elsewhere fails to unwrap. */
export interface WrapContext {
  readonly tenantId: string;
  readonly keyId: string;
  readonly version: number;
}

export interface WrappedKey {
  readonly kekId: string;
  readonly kekVersion: number;
  readonly wrapped: Buffer;
}

export interface KekProvider {
  readonly id: string;
  readonly version: number;
  wrap(dek: Uint8Array, context: WrapContext): Promise<WrappedKey>;
  unwrap(wrapped: WrappedKey, context: WrapContext): Promise<Buffer>;
}

/** A KEK held in process memory (from WARDROOM_MASTER_KEY or the development key file). */
export function localKek(masterKey: Uint8Array, version = 1): KekProvider {
  const id = `local:${createHash('sha256').update(masterKey).digest('hex').slice(0, 16)}`;
  const key = Buffer.from(masterKey);
  return {
    id,
    version,
    wrap(dek, context) {
      const nonce = randomNonce();
      const sealed = aeadSeal(key, nonce, dek, wrapAad(id, version, context));
      return Promise.resolve({
        kekId: id,
        kekVersion: version,
        wrapped: Buffer.concat([nonce, sealed]),
      });
    },
    unwrap(wrapped, context) {
      if (wrapped.kekId !== id || wrapped.kekVersion !== version) {
        return Promise.reject(
          new AppError(
            'key_unavailable',
            `Data key is wrapped by ${wrapped.kekId} v${wrapped.kekVersion}, which is not configured`,
          ),
        );
      }
      const nonce = wrapped.wrapped.subarray(0, NONCE_BYTES);
      const body = wrapped.wrapped.subarray(NONCE_BYTES);
      return Promise.resolve(aeadOpen(key, nonce, body, wrapAad(id, version, context)));
    },
  };
}

function wrapAad(kekId: string, kekVersion: number, c: WrapContext): Buffer {
  return Buffer.from(
    `wardroom.dek.v1\0${kekId}\0${kekVersion}\0${c.tenantId}\0${c.keyId}\0${c.version}`,
  );
}
