/**
 * The crypto module's public face: primitives (AEAD, Fernet, secretbox,
 * Ed25519, RFC 8785 canonical JSON), envelopes bound to their place, and
 * the master key (KEK) providers. It imports no other module.
 */
export { canonicalJson } from './primitives/canonical-json.js';
export { keyIdOf, signerFromSeed, verifySignature, type Signer } from './primitives/ed25519.js';
export {
  aeadOpen,
  aeadSeal,
  NONCE_BYTES as AEAD_NONCE_BYTES,
  randomKey,
  randomNonce,
} from './primitives/aead.js';
export { fernetDecrypt, fernetEncrypt } from './primitives/fernet.js';
export {
  SECRETBOX_KEY_BYTES,
  SECRETBOX_MAC_BYTES,
  SECRETBOX_NONCE_BYTES,
  secretboxOpen,
  secretboxSeal,
} from './primitives/secretbox.js';
export {
  ENVELOPE_VERSION,
  ENVELOPE_VERSION_UNBOUND,
  HEADER_BYTES,
  openEnvelope,
  readEnvelopeHeader,
  sealEnvelope,
  type EnvelopeHeader,
  type FieldPlace,
} from './envelope.js';
export type { GeneratedDataKey, KekProvider, WrapContext, WrappedKey } from './kek/provider.js';
export { localKek, localKeks, type LocalKeySet } from './kek/local.js';
export { createKekProvider } from './kek/registry.js';
export {
  ROOT_KEY_BYTES,
  rootedKey,
  type RootKeyRef,
  type RootStoreKind,
  type WorkspaceKeyStore,
} from './workspace-keys/store.js';
export { fileKeyStore } from './workspace-keys/file-store.js';
export { vaultKeyStore } from './workspace-keys/vault-store.js';
export { createWorkspaceKeyStore } from './workspace-keys/registry.js';
export { readPrivateFile } from './private-file.js';
export { checkMasterKey, masterKeyCheckFile, writeMasterKeyCheck } from './kek/check.js';
export { openStream, sealStream, STREAM_CHUNK_BYTES, type StreamBinding } from './sealed-stream.js';
