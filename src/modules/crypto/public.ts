/**
 * `wardroom/crypto`: the public migration-compatibility API. It exposes only
 * the legacy formats (Fernet tokens and libsodium secretbox) so that scripts
 * moving data into or out of Wardroom can read and write what older systems
 * produced. Tenant keys, envelopes and the AEAD stay internal; anything added
 * here becomes a published contract, so add with care.
 */
export { fernetDecrypt, fernetEncrypt } from './primitives/fernet.js';
export type { FernetDecryptOptions, FernetEncryptOptions } from './primitives/fernet.js';
export {
  secretboxOpen,
  secretboxSeal,
  SECRETBOX_KEY_BYTES,
  SECRETBOX_MAC_BYTES,
  SECRETBOX_NONCE_BYTES,
} from './primitives/secretbox.js';
