/**
 * Master keys (KEKs) wrap the per-workspace data keys. The interface and the
 * providers live in `kek/`; this module keeps the original import path.
 */
export type { GeneratedDataKey, KekProvider, WrapContext, WrappedKey } from './kek/provider.js';
export { localKek, localKeks, type LocalKeySet } from './kek/local.js';
