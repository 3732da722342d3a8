/**
 * Picks the master key provider from configuration:
 * WARDROOM_KEK_PROVIDER=env|file|aws-kms|vault-transit, or by default `env`
 * when WARDROOM_MASTER_KEY is set, `file` when WARDROOM_MASTER_KEY_FILE is,
 * and otherwise the generated development key file (refused in production).
 */
import type { Config, KekConfig } from '../../../base/config.js';
import { ensureDevelopmentKeyFile } from './master-key.js';
import type { AwsKmsOptions } from './aws-kms.js';
import { envKek } from './env.js';
import { fileKek } from './file.js';
import type { KekProvider } from './provider.js';
import { vaultTransitKek } from './vault-transit.js';

export interface KekSetup {
  readonly provider: KekProvider;
  /** Which provider and KEK, for the boot log (never key material). */
  readonly description: string;
  /** Set when the provider is the generated development key file. */
  readonly developmentKeyFile?: string;
}

export interface KekOverrides {
  /** Explicit AWS credentials instead of the SDK's default chain (tests). */
  readonly awsCredentials?: AwsKmsOptions['credentials'];
}

export async function createKekProvider(
  config: Pick<Config, 'env' | 'dataDir' | 'kek'>,
  overrides: KekOverrides = {},
): Promise<KekSetup> {
  const kek: KekConfig = config.kek;
  switch (kek.provider) {
    case 'env': {
      const provider = envKek(kek);
      return { provider, description: describe('env', provider) };
    }
    case 'file': {
      const provider = await fileKek(kek.file);
      return { provider, description: describe(`file ${kek.file}`, provider) };
    }
    case 'development': {
      const file = await ensureDevelopmentKeyFile(config);
      const provider = await fileKek(file);
      return {
        provider,
        description: describe(`development file ${file}`, provider),
        developmentKeyFile: file,
      };
    }
    case 'aws-kms': {
      // Loaded only when chosen: the AWS SDK is large.
      const { awsKmsKek } = await import('./aws-kms.js');
      const provider = awsKmsKek({
        keyId: kek.keyId,
        region: kek.region,
        endpoint: kek.endpoint,
        version: kek.version,
        id: kek.id,
        ...(overrides.awsCredentials === undefined
          ? {}
          : { credentials: overrides.awsCredentials }),
      });
      return { provider, description: describe(`aws-kms ${kek.region}`, provider) };
    }
    case 'vault-transit': {
      const provider = await vaultTransitKek({
        addr: kek.addr,
        token: kek.token.reveal(),
        caFile: kek.caFile,
        mount: kek.mount,
        key: kek.key,
        id: kek.id,
      });
      return { provider, description: describe(`vault-transit ${kek.addr}`, provider) };
    }
  }
}

function describe(source: string, provider: KekProvider): string {
  return `${source}: ${provider.id} v${provider.version}`;
}
