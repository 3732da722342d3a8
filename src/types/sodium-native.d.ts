/**
 * sodium-native ships no type declarations, so this file declares only the
 * calls Wardroom makes (and the tests use). Keeping it narrow means every new
 * libsodium call is a deliberate, reviewed addition rather than an `any`.
 * Runtime shape: a CommonJS addon, so ESM code imports it as the default export.
 * Output buffers come first, as in the C API; length mismatches throw plain Errors.
 */
declare module 'sodium-native' {
  interface SodiumNative {
    readonly crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number;
    readonly crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number;
    readonly crypto_aead_xchacha20poly1305_ietf_ABYTES: number;
    readonly crypto_secretbox_KEYBYTES: number;
    readonly crypto_secretbox_NONCEBYTES: number;
    readonly crypto_secretbox_MACBYTES: number;
    readonly crypto_stream_PRIMITIVE: string;

    randombytes_buf(buf: Uint8Array): void;

    /** Writes ciphertext||tag into `c`; returns the number of bytes written. */
    crypto_aead_xchacha20poly1305_ietf_encrypt(
      c: Uint8Array,
      m: Uint8Array,
      ad: Uint8Array | null,
      nsec: null,
      npub: Uint8Array,
      k: Uint8Array,
    ): number;
    /** Writes the plaintext into `m`; throws if the tag does not verify. */
    crypto_aead_xchacha20poly1305_ietf_decrypt(
      m: Uint8Array,
      nsec: null,
      c: Uint8Array,
      ad: Uint8Array | null,
      npub: Uint8Array,
      k: Uint8Array,
    ): number;

    /** Writes tag||ciphertext into `c`. */
    crypto_secretbox_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
    /** Returns false (and leaves `m` unspecified) if the tag does not verify. */
    crypto_secretbox_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean;

    /** Fills `c` with keystream of the default stream cipher (XSalsa20). */
    crypto_stream(c: Uint8Array, n: Uint8Array, k: Uint8Array): void;
    /** Poly1305 one-time authenticator: 16-byte tag of `input` under a 32-byte key. */
    crypto_onetimeauth(out: Uint8Array, input: Uint8Array, k: Uint8Array): void;
  }

  const sodium: SodiumNative;
  export default sodium;
}
