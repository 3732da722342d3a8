/**
 * The master key providers talk to Vault and KMS over verified TLS: a plain
 * http:// endpoint off this machine is refused before any request, Vault's
 * certificate is checked against Node's CAs or VAULT_CACERT (never skipped),
 * and the loopback fakes the other tests use keep working over http.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVault, type FakeVault } from '../../support/fake-vault.js';
import { makeTestCa, type TestCa } from '../../support/tls-certs.js';
import { awsKmsKek } from '../../../src/modules/crypto/kek/aws-kms.js';
import { vaultTransitKek } from '../../../src/modules/crypto/kek/vault-transit.js';
import { isLoopbackHost } from '../../../src/base/net.js';

let ca: TestCa;
let vault: FakeVault;
let key: string;

beforeAll(async () => {
  ca = makeTestCa();
  vault = await startFakeVault({ tls: { cert: ca.cert, key: ca.key } });
  key = `k-${randomUUID()}`;
});
afterAll(async () => {
  await vault.close();
  ca.remove();
});

describe('loopback', () => {
  it('knows this machine from the network', () => {
    for (const host of [
      'localhost',
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      'vault.internal',
      '128.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('vault-transit over TLS', () => {
  it('refuses plain http:// to a host off this machine, before any request', async () => {
    const attempt = vaultTransitKek({ addr: 'http://vault.internal:8200', token: 't', key: 'k' });
    await expect(attempt).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(/VAULT_ADDR .*not https:\/\/.*Use https:\/\//) as unknown,
    });
  });

  it('verifies the certificate: an unknown CA is refused, VAULT_CACERT makes it trusted', async () => {
    await createKey();
    await expect(
      vaultTransitKek({ addr: vault.addr, token: vault.token, key }),
    ).rejects.toMatchObject({
      code: 'key_unavailable',
      cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    });
    const provider = await vaultTransitKek({
      addr: vault.addr,
      token: vault.token,
      key,
      caFile: ca.caFile,
    });
    expect(provider.version).toBe(1);
  });

  it('checks the host name against the certificate even with VAULT_CACERT', async () => {
    const other = makeTestCa(['DNS:vault.elsewhere.test']);
    const wrongName = await startFakeVault({ tls: { cert: other.cert, key: other.key } });
    try {
      const attempt = vaultTransitKek({
        addr: wrongName.addr,
        token: wrongName.token,
        key: 'k',
        caFile: other.caFile,
      });
      await expect(attempt).rejects.toMatchObject({
        code: 'key_unavailable',
        cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      });
    } finally {
      await wrongName.close();
      other.remove();
    }
  });

  it('names an unreadable VAULT_CACERT', async () => {
    const attempt = vaultTransitKek({
      addr: vault.addr,
      token: vault.token,
      key,
      caFile: `${ca.dir}/missing.pem`,
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringContaining('VAULT_CACERT') as unknown,
    });
  });
});

describe('aws-kms over TLS', () => {
  it('refuses a plain http:// endpoint off this machine', () => {
    expect(() =>
      awsKmsKek({ keyId: 'k', region: 'eu-west-1', endpoint: 'http://kms.internal:4566' }),
    ).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });

  it('accepts https:// and loopback http://', () => {
    for (const endpoint of ['https://kms.eu-west-1.amazonaws.com', 'http://127.0.0.1:4566']) {
      awsKmsKek({ keyId: 'k', region: 'eu-west-1', endpoint }).close?.();
    }
  });
});

async function createKey(): Promise<void> {
  const { request } = await import('node:https');
  await new Promise<void>((resolve, reject) => {
    const req = request(
      `${vault.addr}/v1/transit/keys/${key}`,
      {
        method: 'POST',
        ca: ca.ca,
        headers: { 'X-Vault-Token': vault.token, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error('create'))));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ derived: true }));
  });
}
