/**
 * The `env` provider: WARDROOM_MASTER_KEY is the current version
 * (WARDROOM_MASTER_KEY_VERSION, default 1), WARDROOM_MASTER_KEY_PREVIOUS lists
 * older versions as `1:base64,2:base64` so data keys they wrapped still
 * unwrap. The id (WARDROOM_KEK_ID, default `env:default`) stays the same
 * across versions.
 */
import type { KekConfig } from '../../../base/config.js';
import { localKeks } from './local.js';
import type { KekProvider } from './provider.js';

export function envKek(config: Extract<KekConfig, { provider: 'env' }>): KekProvider {
  return localKeks({ id: config.id, current: config.current, keys: config.keys.reveal() });
}
