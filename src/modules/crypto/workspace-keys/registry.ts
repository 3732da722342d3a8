/**
 * Picks the workspace key store for the configured master key provider:
 * the key file directory for env, file and development, a transit key per
 * workspace for vault-transit, a KMS key per workspace for aws-kms.
 */
import type { Config } from '../../../base/config.js';
import type { KekOverrides } from '../kek/registry.js';
import { fileKeyStore } from './file-store.js';
import type { WorkspaceKeyStore } from './store.js';
import { vaultKeyStore } from './vault-store.js';

export async function createWorkspaceKeyStore(
  config: Pick<Config, 'kek' | 'workspaceKeyDir'>,
  overrides: KekOverrides = {},
): Promise<WorkspaceKeyStore> {
  const kek = config.kek;
  switch (kek.provider) {
    case 'env':
    case 'file':
    case 'development':
      return fileKeyStore(config.workspaceKeyDir);
    case 'vault-transit':
      return vaultKeyStore({
        addr: kek.addr,
        token: kek.token.reveal(),
        caFile: kek.caFile,
        mount: kek.mount,
        key: kek.key,
      });
    case 'aws-kms': {
      // Loaded only when chosen: the AWS SDK is large.
      const { kmsKeyStore } = await import('./kms-store.js');
      return kmsKeyStore({
        region: kek.region,
        endpoint: kek.endpoint,
        ...(overrides.awsCredentials === undefined
          ? {}
          : { credentials: overrides.awsCredentials }),
      });
    }
  }
}
