/**
 * Moving existing rows to envelope format 2 (bound to what they mean): a
 * format-1 row, as the code before wrote it, still opens; the rotation sweep
 * re-seals it in format 2, bound to its conversation and author; and once
 * the minimum decryption version passes the old key versions, a format-1
 * envelope put back from a backup no longer opens.
 */
import sodium from 'sodium-native';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_BYTES } from '../../src/modules/crypto/envelope.js';
import { uuidToBytes } from '../../src/base/uuid.js';
import { rootedKey } from '../../src/modules/crypto/index.js';
import { testRoots } from '../support/root-keys.js';
import { startRotation } from '../../src/modules/keys/rotation/rotate-dek.js';
import { runSweep } from '../../src/modules/keys/rotation/sweep.js';
import { setMinVersion } from '../../src/modules/keys/rotation/min-version.js';
import { listMessages } from '../../src/modules/workrooms/messages.js';
import {
  connectSuperuser,
  kekV1,
  newFilledWorkspace,
  principal,
  startProcess,
  type Filled,
  type Process,
} from '../support/keys.js';

let a: Process;
let admin: pg.Client;
beforeAll(async () => {
  a = await startProcess();
  admin = await connectSuperuser();
});
afterAll(async () => {
  await admin.end();
  await a.close();
});

/** The workspace's data key version 1, unwrapped as the keyring would. */
async function keyV1(tenantId: string): Promise<{ key: Buffer; keyId: string }> {
  const { rows } = await admin.query<{
    key_id: string;
    kek_id: string;
    kek_version: number;
    wrapped_key: Buffer;
  }>(
    'select key_id, kek_id, kek_version, wrapped_key from wardroom.workspace_keys where tenant_id = $1 and version = 1',
    [tenantId],
  );
  const row = rows[0]!;
  const dek = await kekV1.unwrap(
    { kekId: row.kek_id, kekVersion: row.kek_version, wrapped: row.wrapped_key },
    { tenantId, keyId: row.key_id, version: 1 },
  );
  // Version 1 is rooted: mixed with the workspace's root key from the key store.
  const root = await admin.query<{ ref: string }>(
    'select ref from wardroom.workspace_root_keys where tenant_id = $1',
    [tenantId],
  );
  const secret = await testRoots.open(tenantId, {
    store: 'file',
    ref: root.rows[0]!.ref,
    sealed: null,
  });
  const key = rootedKey(dek, secret, { tenantId, keyId: row.key_id, version: 1 });
  return { key, keyId: row.key_id };
}

/** A format-1 envelope of a message, laid out and sealed as before format 2, by raw libsodium. */
function sealFormat1(
  k: { key: Buffer; keyId: string },
  tenantId: string,
  id: string,
  text: string,
) {
  const message = Buffer.from(text);
  const envelope = Buffer.alloc(HEADER_BYTES + message.length + 16);
  envelope[0] = 1;
  envelope[1] = 1;
  uuidToBytes(k.keyId).copy(envelope, 2);
  envelope.writeUInt32BE(1, 18);
  sodium.randombytes_buf(envelope.subarray(22, HEADER_BYTES));
  const place = `wardroom.field.v1\0${tenantId}\0messages\0content\0${id}`;
  const ad = Buffer.concat([envelope.subarray(0, HEADER_BYTES), Buffer.from(place)]);
  const nonce = envelope.subarray(22, HEADER_BYTES);
  const out = envelope.subarray(HEADER_BYTES);
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, message, ad, null, nonce, k.key);
  return envelope;
}

async function readAll(ws: Filled): Promise<Map<string, string>> {
  const page = await a.db.withTenant(principal(ws.tenantId), (tx) =>
    listMessages(tx, a.keyring, { conversationId: ws.conversationId, limit: 200 }),
  );
  return new Map(page.items.map((m) => [m.id, m.content]));
}

async function envelopes(tenantId: string): Promise<Map<string, Buffer>> {
  const { rows } = await admin.query<{ id: string; content: Buffer }>(
    'select id::text, content from wardroom.messages where tenant_id = $1',
    [tenantId],
  );
  return new Map(rows.map((r) => [r.id, r.content]));
}

async function writeEnvelope(tenantId: string, id: string, content: Buffer): Promise<void> {
  await admin.query('update wardroom.messages set content = $1 where tenant_id = $2 and id = $3', [
    content,
    tenantId,
    id,
  ]);
}

describe('moving rows to the bound format', () => {
  it('opens format-1 rows until the sweep re-seals them bound, then retires format 1', async () => {
    const ws = await newFilledWorkspace(a, 4);
    const key = await keyV1(ws.tenantId);
    const legacy = new Map<string, Buffer>();
    for (const id of ws.messages.keys()) {
      const envelope = sealFormat1(key, ws.tenantId, id, `legacy ${id}`);
      legacy.set(id, envelope);
      await writeEnvelope(ws.tenantId, id, envelope);
      ws.messages.set(id, `legacy ${id}`);
    }
    key.key.fill(0);
    expect(await readAll(ws)).toEqual(ws.messages);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    const done = await runSweep(a.db, a.keyring, principal(ws.tenantId), started.rotationId, {
      batchSize: 3,
    });
    expect(done).toMatchObject({ status: 'done', rowsDone: 4 });
    for (const envelope of (await envelopes(ws.tenantId)).values()) {
      expect([envelope[0], envelope.readUInt32BE(18)]).toEqual([2, 2]);
    }
    expect(await readAll(ws)).toEqual(ws.messages);
    // Re-sealed bound: given another author type now, a row no longer opens.
    const [first, second] = [...ws.messages.keys()];
    await admin.query(
      'update wardroom.messages set author_type = $1 where tenant_id = $2 and id = $3',
      ['agent', ws.tenantId, first],
    );
    await expect(readAll(ws)).rejects.toMatchObject({ code: 'decryption_failed' });
    await admin.query(
      'update wardroom.messages set author_type = $1 where tenant_id = $2 and id = $3',
      ['user', ws.tenantId, first],
    );
    // A format-1 envelope put back from a backup opens until the old key version is retired...
    await writeEnvelope(ws.tenantId, second!, legacy.get(second!)!);
    expect((await readAll(ws)).get(second!)).toBe(ws.messages.get(second!));
    await expect(
      a.db.withTenant(principal(ws.tenantId), (tx) => setMinVersion(tx, 2)),
    ).rejects.toMatchObject({ code: 'conflict' });
    // ...which needs every row current (here: overwritten with a format-2 envelope);
    // then no format-1 envelope can open any more.
    await writeEnvelope(ws.tenantId, second!, (await envelopes(ws.tenantId)).get(first!)!);
    const heard = a.nextEvent(ws.tenantId);
    await a.db.withTenant(principal(ws.tenantId), (tx) => setMinVersion(tx, 2));
    await heard;
    await writeEnvelope(ws.tenantId, second!, legacy.get(second!)!);
    await expect(readAll(ws)).rejects.toMatchObject({ code: 'decryption_failed' });
  });
});
