/**
 * The keyring over the cloud providers, in real tenant transactions: a new
 * workspace's data key comes from the provider's GenerateDataKey (KMS) or
 * datakey (Vault), its row records the KEK id and version, and sealed fields
 * open again after the process forgets its cached keys.
 */
import { systemPrincipal } from '../../src/db/principal.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeKms, type FakeKms } from '../support/fake-kms.js';
import { startFakeVault, type FakeVault } from '../support/fake-vault.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { createWorkspace } from '../../src/modules/tenancy/create-workspace.js';
import { createKeyring } from '../../src/modules/keys/keyring.js';
import { awsKmsKek } from '../../src/modules/crypto/kek/aws-kms.js';
import type { KekProvider } from '../../src/modules/crypto/kek/provider.js';
import { vaultTransitKek } from '../../src/modules/crypto/kek/vault-transit.js';
import { testRoots } from '../support/root-keys.js';

let db: Database;
let kms: FakeKms;
let vault: FakeVault;
const providers: KekProvider[] = [];

beforeAll(async () => {
  db = createDatabase({ appUrl: inject('appUrl'), poolMax: 2 });
  kms = await startFakeKms();
  vault = await startFakeVault();
});
afterAll(async () => {
  for (const p of providers) p.close?.();
  await db.close();
  await kms.close();
  await vault.close();
});

const makers: Record<string, () => Promise<{ kek: KekProvider; calls: string[] }>> = {
  'aws-kms': () => {
    const kek = awsKmsKek({
      keyId: kms.createKey().keyId,
      region: kms.region,
      endpoint: kms.endpoint,
      credentials: kms.credentials,
    });
    return Promise.resolve({ kek, calls: kms.calls });
  },
  'vault-transit': async () => {
    const key = `wardroom-${randomUUID()}`;
    await fetch(`${vault.addr}/v1/transit/keys/${key}`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.token },
      body: JSON.stringify({ derived: true }),
    });
    const kek = await vaultTransitKek({ addr: vault.addr, token: vault.token, key });
    return { kek, calls: vault.calls };
  },
};

describe.each(Object.keys(makers))('keyring over %s', (kind) => {
  it('creates the data key with the provider and seals and opens fields in a tenant transaction', async () => {
    const { kek, calls } = await makers[kind]!();
    providers.push(kek);
    const keyring = createKeyring(kek, { roots: testRoots });
    calls.length = 0;
    const { workspaceId } = await createWorkspace(
      db,
      keyring,
      {
        name: `KEK ${kind}`,
        region: 'eu',
        ownerEmail: `owner-${randomUUID()}@example.test`,
      },
      (id) => systemPrincipal(id, 'test'),
    );
    expect(calls.join(' ')).toMatch(kind === 'aws-kms' ? /GenerateDataKey/ : /datakey\/plaintext/);
    expect(calls.join(' ')).not.toMatch(/Encrypt|encrypt/);

    const principal = systemPrincipal(workspaceId, 'test');
    const ref = { table: 'messages', column: 'content', rowId: randomUUID() };
    const secret = randomBytes(40);
    const row = await db.withTenant(principal, (tx) =>
      tx.selectFrom('workspace_keys').select(['kek_id', 'kek_version']).executeTakeFirstOrThrow(),
    );
    expect(row).toEqual({ kek_id: kek.id, kek_version: kek.version });
    const sealed = await db.withTenant(principal, (tx) => keyring.seal(tx, ref, secret));
    keyring.forget(workspaceId);
    const opened = await db.withTenant(principal, (tx) => keyring.open(tx, ref, sealed));
    expect(opened).toEqual(secret);
  });
});
