/**
 * A purge worker in its own process, for the restart test
 * (test/billing/purge-restart.test.ts): runs one sweep step of one
 * workspace with the parent's database, master key, root key store, object
 * folder and signing seed, prints each step as it commits (`step <name>`),
 * and at PURGE_STOP_AT hangs, for the parent to SIGKILL it there.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/base/config.js';
import { createLogger } from '../../src/base/logger.js';
import { createDatabase } from '../../src/db/database.js';
import { purgeWorkspaceStep } from '../../src/modules/billing/index.js';
import { fileKeyStore, localKek } from '../../src/modules/crypto/index.js';
import { signerFromSeed } from '../../src/modules/crypto/primitives/ed25519.js';
import { createKeyring } from '../../src/modules/keys/keyring.js';
import { createMailer } from '../../src/modules/mail/index.js';
import { createStorage, folderStore } from '../../src/modules/storage/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const db = createDatabase({ appUrl: env('PURGE_APP_URL'), poolMax: 2 });
const keyring = createKeyring(localKek(Buffer.from(env('PURGE_MASTER_KEY'), 'base64')), {
  roots: await fileKeyStore(env('PURGE_ROOTS_DIR')),
});
const storage = createStorage({
  store: folderStore(env('PURGE_OBJECTS_DIR')),
  db,
  keyring,
  linkSecret: randomBytes(32),
  publicUrl: 'http://127.0.0.1:8080',
});
const config = loadConfig({ WARDROOM_DATA_DIR: env('PURGE_DATA_DIR') });
const mailer = createMailer(config.mail, createLogger('silent'));
const now = new Date(env('PURGE_NOW'));
const stopAt = env('PURGE_STOP_AT');

await purgeWorkspaceStep(
  {
    db,
    keyring,
    signer: signerFromSeed(Buffer.from(env('PURGE_SIGNER_SEED'), 'base64')),
    storage,
    mailer,
    clock: () => now,
    onStep: async (step) => {
      process.stdout.write(`step ${step}\n`);
      if (step === stopAt) await new Promise(() => undefined);
    },
  },
  env('PURGE_WORKSPACE'),
);
process.stdout.write('finished\n');
await db.close();
