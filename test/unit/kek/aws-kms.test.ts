/**
 * The aws-kms provider through the official @aws-sdk/client-kms against the
 * local KMS fake (test/support/fake-kms.ts): which KMS operations it uses, how KMS
 * failures map to Wardroom's error codes, and rotation of backing material.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKms, type FakeKms } from '../../support/fake-kms.js';
import { awsKmsKek, type AwsKmsOptions } from '../../../src/modules/crypto/kek/aws-kms.js';
import type { KekProvider } from '../../../src/modules/crypto/kek/provider.js';

let kms: FakeKms;
const providers: KekProvider[] = [];
const ctx = () => ({ tenantId: randomUUID(), keyId: randomUUID(), version: 1 });

function kek(keyId: string, options: Partial<AwsKmsOptions> = {}): KekProvider {
  const provider = awsKmsKek({
    keyId,
    region: kms.region,
    endpoint: kms.endpoint,
    credentials: kms.credentials,
    ...options,
  });
  providers.push(provider);
  return provider;
}

beforeAll(async () => {
  kms = await startFakeKms();
});
afterAll(async () => {
  for (const p of providers) p.close?.();
  await kms.close();
});

describe('aws-kms provider', () => {
  it('wraps with Encrypt, creates with GenerateDataKey, unwraps with Decrypt and rewraps with ReEncrypt', async () => {
    const { keyId, arn } = kms.createKey();
    const provider = kek(arn);
    expect(provider).toMatchObject({ id: `aws-kms:${arn}`, version: 1 });
    const c = ctx();
    kms.calls.length = 0;
    const generated = await provider.generateDataKey!(c);
    const wrapped = await provider.wrap(randomBytes(32), c);
    await provider.unwrap(generated.wrapped, c);
    kms.rotate(keyId);
    const moved = await provider.rewrap!(wrapped, c);
    expect(kms.calls).toEqual(['GenerateDataKey', 'Encrypt', 'Decrypt', 'ReEncrypt']);
    expect(kms.backingVersionOf(wrapped.wrapped)).toBe(1);
    expect(kms.backingVersionOf(moved.wrapped)).toBe(2);
    expect(moved.kekVersion).toBe(1);
  });

  it('records the configured version and keeps unwrapping every earlier one', async () => {
    const { keyId } = kms.createKey();
    const c = ctx();
    const dek = randomBytes(32);
    const v1 = await kek(keyId).wrap(dek, c);
    kms.rotate(keyId);
    const v2 = kek(keyId, { version: 2 });
    const moved = await v2.rewrap!(v1, c);
    expect(moved.kekVersion).toBe(2);
    expect(await v2.unwrap(v1, c)).toEqual(dek);
    expect(await v2.unwrap(moved, c)).toEqual(dek);
  });

  it('refuses a tampered ciphertext and one made by another KMS key as decryption_failed', async () => {
    const a = kek(kms.createKey().keyId);
    const b = kek(kms.createKey().keyId, { id: a.id });
    const c = ctx();
    const wrapped = await a.wrap(randomBytes(32), c);
    const tampered = Buffer.from(wrapped.wrapped);
    tampered[tampered.length - 1]! ^= 1;
    await expect(a.unwrap({ ...wrapped, wrapped: tampered }, c)).rejects.toMatchObject({
      code: 'decryption_failed',
    });
    await expect(b.unwrap(wrapped, c)).rejects.toMatchObject({ code: 'decryption_failed' });
  });

  it('answers key_unavailable when KMS refuses the key or the credentials', async () => {
    const { keyId } = kms.createKey();
    const c = ctx();
    const wrapped = await kek(keyId).wrap(randomBytes(32), c);
    const badCredentials = kek(keyId, {
      credentials: { accessKeyId: 'AKIAWRONGWRONGWRONG0', secretAccessKey: 'x' },
    });
    await expect(badCredentials.unwrap(wrapped, c)).rejects.toMatchObject({
      code: 'key_unavailable',
    });
    await expect(kek(randomUUID()).wrap(randomBytes(32), c)).rejects.toMatchObject({
      code: 'key_unavailable',
    });
    kms.disable(keyId);
    await expect(kek(keyId).unwrap(wrapped, c)).rejects.toMatchObject({ code: 'key_unavailable' });
  });

  it('never sends a kek id it does not own to KMS', async () => {
    const provider = kek(kms.createKey().keyId);
    const c = ctx();
    const wrapped = await provider.wrap(randomBytes(32), c);
    kms.calls.length = 0;
    await expect(
      provider.unwrap({ ...wrapped, kekId: 'aws-kms:alias/other' }, c),
    ).rejects.toMatchObject({ code: 'key_unavailable' });
    expect(kms.calls).toEqual([]);
  });
});
