/**
 * The KMS fake answers the official @aws-sdk/client-kms the way KMS does for
 * the operations Wardroom uses: real authenticated encryption bound to the
 * encryption context, KMS's error types, rotation that keeps old material, and
 * keys created, disabled and scheduled for deletion, each refusing to decrypt.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  DisabledException,
  EncryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  KMSServiceException,
  NotFoundException,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKms, type FakeKms } from '../../support/fake-kms.js';

let kms: FakeKms;
let client: KMSClient;
const context = { tenant_id: 't1', key_id: 'k1', dek_version: '1' };

beforeAll(async () => {
  kms = await startFakeKms();
  client = new KMSClient({
    region: kms.region,
    endpoint: kms.endpoint,
    credentials: kms.credentials,
  });
});
afterAll(async () => {
  client.destroy();
  await kms.close();
});

describe('fake KMS', () => {
  it('encrypts and decrypts under the same encryption context only', async () => {
    const { arn } = kms.createKey({ alias: 'fake-test' });
    const plaintext = randomBytes(32);
    const enc = await client.send(
      new EncryptCommand({
        KeyId: 'alias/fake-test',
        Plaintext: plaintext,
        EncryptionContext: context,
      }),
    );
    expect(enc.KeyId).toBe(arn);
    const dec = await client.send(
      new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(dec.Plaintext!)).toEqual(plaintext);
    for (const other of [{ ...context, tenant_id: 't2' }, { tenant_id: 't1' }, undefined]) {
      await expect(
        client.send(
          new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: other }),
        ),
      ).rejects.toBeInstanceOf(InvalidCiphertextException);
    }
  });

  it('generates data keys, rotates on demand and re-encrypts onto the newest material', async () => {
    const { keyId } = kms.createKey();
    const generated = await client.send(
      new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    expect(generated.Plaintext).toHaveLength(32);
    await client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const moved = await client.send(
      new ReEncryptCommand({
        CiphertextBlob: generated.CiphertextBlob,
        SourceEncryptionContext: context,
        DestinationKeyId: keyId,
        DestinationEncryptionContext: context,
      }),
    );
    expect(kms.backingVersionOf(generated.CiphertextBlob!)).toBe(1);
    expect(kms.backingVersionOf(moved.CiphertextBlob!)).toBe(2);
    for (const blob of [generated.CiphertextBlob, moved.CiphertextBlob]) {
      const dec = await client.send(
        new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context, KeyId: keyId }),
      );
      expect(dec.Plaintext).toEqual(generated.Plaintext);
    }
  });

  it('answers with KMS error types', async () => {
    const a = kms.createKey().keyId;
    const b = kms.createKey().keyId;
    const enc = await client.send(new EncryptCommand({ KeyId: a, Plaintext: randomBytes(8) }));
    await expect(
      client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: b })),
    ).rejects.toBeInstanceOf(IncorrectKeyException);
    await expect(
      client.send(new EncryptCommand({ KeyId: 'alias/none', Plaintext: randomBytes(8) })),
    ).rejects.toBeInstanceOf(NotFoundException);
    kms.disable(a);
    await expect(
      client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })),
    ).rejects.toBeInstanceOf(DisabledException);

    const stranger = new KMSClient({
      region: kms.region,
      endpoint: kms.endpoint,
      credentials: { accessKeyId: 'AKIASTRANGER00000000', secretAccessKey: 'x' },
    });
    const refused = await stranger
      .send(new EncryptCommand({ KeyId: b, Plaintext: randomBytes(8) }))
      .catch((error: unknown) => error);
    stranger.destroy();
    expect(refused).toBeInstanceOf(KMSServiceException);
    expect((refused as KMSServiceException).name).toBe('UnrecognizedClientException');
  });

  it('creates keys, and a disabled or pending-deletion key refuses to decrypt', async () => {
    const created = await client.send(new CreateKeyCommand({}));
    const arn = created.KeyMetadata?.Arn ?? '';
    const sealed = await client.send(
      new EncryptCommand({ KeyId: arn, Plaintext: randomBytes(32), EncryptionContext: context }),
    );
    const open = () =>
      client.send(
        new DecryptCommand({
          KeyId: arn,
          CiphertextBlob: sealed.CiphertextBlob,
          EncryptionContext: context,
        }),
      );
    expect((await open()).Plaintext).toHaveLength(32);
    await client.send(new DisableKeyCommand({ KeyId: arn }));
    await expect(open()).rejects.toBeInstanceOf(DisabledException);
    await expect(
      client.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 6 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 }));
    expect(kms.stateOf(arn)).toEqual({ state: 'PendingDeletion', pendingWindowInDays: 7 });
    await expect(open()).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
  });
});
