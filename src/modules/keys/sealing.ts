/**
 * Sealing and opening fields in envelopes bound to their place. New seals
 * use the workspace's primary key version; an envelope opens with the
 * version its header names if that is at or above the workspace's minimum
 * decryption version. A key is checked (usable()) with no await between the
 * check and its use, so one zeroed by `forget` meanwhile is refused.
 *
 * This is the hot path: a seal or open with the policy and key cached is
 * the cache lookups and one envelope call.
 */
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import {
  openEnvelope,
  readEnvelopeHeader,
  sealEnvelope,
  type EnvelopeHeader,
  type FieldPlace,
} from '../crypto/index.js';
import { usable, type CachedKey, type Policy } from './key-cache.js';
import { loadPolicy, loadVersion, primaryKey, type KeySource } from './key-versions.js';

export type FieldRef = Omit<FieldPlace, 'tenantId'>;

/** A sealed value and the field it belongs to. */
export interface SealedAt {
  readonly ref: FieldRef;
  readonly envelope: Uint8Array;
}

/** Plain functions (no `this`): the keyring hands them out as they are. */
export interface Sealing {
  readonly seal: (tx: TenantTx, ref: FieldRef, plaintext: Uint8Array) => Promise<Buffer>;
  readonly open: (tx: TenantTx, ref: FieldRef, envelope: Uint8Array) => Promise<Buffer>;
  readonly openMany: (tx: TenantTx, fields: readonly SealedAt[]) => Promise<Buffer[]>;
  readonly reseal: (
    tx: TenantTx,
    fields: readonly SealedAt[],
    version: number,
  ) => Promise<Buffer[]>;
}

/** The key that opens envelopes with this header, if the workspace's policy allows. */
async function openingKey(
  source: KeySource,
  tx: TenantTx,
  header: EnvelopeHeader,
  policy: Policy,
): Promise<CachedKey> {
  if (header.keyVersion < policy.minVersion) {
    throw new AppError(
      'decryption_failed',
      `Sealed value uses data key version ${header.keyVersion}, below this workspace's ` +
        `minimum decryption version ${policy.minVersion}`,
    );
  }
  const key = await loadVersion(source, tx, header.keyVersion);
  if (key.keyId !== header.keyId) {
    throw new AppError(
      'decryption_failed',
      'Sealed value names a key this workspace does not have',
    );
  }
  return key;
}

/** The key opening each field, each distinct key looked up once. */
async function openingKeys(
  source: KeySource,
  tx: TenantTx,
  fields: readonly SealedAt[],
  policy: Policy,
): Promise<{ field: SealedAt; key: CachedKey }[]> {
  const byId = new Map<string, CachedKey>();
  const opening: { field: SealedAt; key: CachedKey }[] = [];
  for (const field of fields) {
    const h = readEnvelopeHeader(field.envelope);
    const id = `${h.keyVersion}/${h.keyId}`;
    let key = byId.get(id);
    if (key === undefined) {
      key = await openingKey(source, tx, h, policy);
      byId.set(id, key);
    }
    opening.push({ field, key });
  }
  return opening;
}

function sealWith(tx: TenantTx, key: CachedKey, ref: FieldRef, plaintext: Uint8Array): Buffer {
  const place = { ...ref, tenantId: principalOf(tx).tenantId };
  const header = { keyId: key.keyId, keyVersion: key.version };
  return sealEnvelope(usable(key), header, place, plaintext);
}

export function createSealing(source: KeySource): Sealing {
  return {
    async seal(tx, ref, plaintext) {
      const key = await primaryKey(source, tx);
      return sealWith(tx, key, ref, plaintext);
    },
    async open(tx, ref, envelope) {
      const header = readEnvelopeHeader(envelope);
      const key = await openingKey(source, tx, header, await loadPolicy(source, tx));
      return openEnvelope(usable(key), envelope, { ...ref, tenantId: principalOf(tx).tenantId });
    },
    async openMany(tx, fields) {
      const opening = await openingKeys(source, tx, fields, await loadPolicy(source, tx));
      // No await from here on: a key forgotten meanwhile is refused by usable().
      const tenantId = principalOf(tx).tenantId;
      return opening.map(({ field, key }) =>
        openEnvelope(usable(key), field.envelope, { ...field.ref, tenantId }),
      );
    },
    async reseal(tx, fields, version) {
      const policy = await loadPolicy(source, tx);
      const target = await loadVersion(source, tx, version);
      const opening = await openingKeys(source, tx, fields, policy);
      // No await from here on: a key forgotten meanwhile is refused by usable().
      const tenantId = principalOf(tx).tenantId;
      return opening.map(({ field, key }) => {
        const plaintext = openEnvelope(usable(key), field.envelope, { ...field.ref, tenantId });
        try {
          return sealWith(tx, target, field.ref, plaintext);
        } finally {
          plaintext.fill(0);
        }
      });
    },
  };
}
