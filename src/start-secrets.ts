/**
 * Part of the composition root (app.ts): the process's own secrets (the
 * audit signing key, the auth secret, the privacy index key), configured or
 * generated in development, and the loud warnings when one is a development
 * one.
 */
import type { Logger } from 'pino';
import type { Config } from './base/config.js';
import { loadAuditSigner } from './modules/audit/index.js';
import { loadAuthSecret } from './modules/auth/index.js';
import { loadPrivacyIndexKey, privacyKeys, type PrivacyKeys } from './modules/contacts/index.js';

export interface Secrets {
  readonly audit: Awaited<ReturnType<typeof loadAuditSigner>>;
  readonly authSecret: Awaited<ReturnType<typeof loadAuthSecret>>;
  /** The keys derived from the privacy index key (contacts' blind indexes, the opt-out). */
  readonly privacy: { readonly keys: PrivacyKeys; readonly isDevelopmentKey: boolean };
}

/** The audit signing key, the auth secret and the privacy index key. */
export async function loadSecrets(config: Config): Promise<Secrets> {
  const isProduction = config.env === 'production';
  const { dataDir } = config;
  const privacyIndex = await loadPrivacyIndexKey({
    key: config.privacyIndexKey,
    dataDir,
    isProduction,
  });
  return {
    audit: await loadAuditSigner({ seed: config.auditSigningKey, dataDir, isProduction }),
    authSecret: await loadAuthSecret({ secret: config.authSecret, dataDir, isProduction }),
    privacy: {
      keys: privacyKeys(privacyIndex.key),
      isDevelopmentKey: privacyIndex.isDevelopmentKey,
    },
  };
}

/** Says loudly when a development key is in use, and which master key provider runs. */
export function logKeySources(
  logger: Logger,
  kek: { readonly developmentKeyFile?: string | undefined; readonly description: string },
  secrets: Secrets,
): void {
  if (kek.developmentKeyFile !== undefined) {
    logger.warn(
      `USING A DEVELOPMENT MASTER KEY from ${kek.developmentKeyFile}. ` +
        'Anyone with this file can decrypt every workspace. Set WARDROOM_MASTER_KEY in production.',
    );
  } else {
    logger.info({ kek: kek.description }, 'master key provider');
  }
  if (secrets.audit.isDevelopmentKey) {
    logger.warn(
      'USING A DEVELOPMENT AUDIT SIGNING KEY. Set WARDROOM_AUDIT_SIGNING_KEY in production.',
    );
  }
  if (secrets.authSecret.isDevelopmentKey) {
    logger.warn('USING A DEVELOPMENT AUTH SECRET. Set WARDROOM_AUTH_SECRET in production.');
  }
  if (secrets.privacy.isDevelopmentKey) {
    logger.warn(
      'USING A DEVELOPMENT PRIVACY INDEX KEY. Set WARDROOM_PRIVACY_INDEX_KEY in production.',
    );
  }
}
