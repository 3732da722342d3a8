/**
 * Crypto-shredding over HTTP: only the owner, only with the workspace's
 * name; afterwards every data key version is gone (audited), no ciphertext
 * of the workspace opens in this process, in another process that had the
 * keys cached, or in a fresh one, while another workspace works as before;
 * and the signed receipt verifies, and fails once tampered with.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring } from '../../src/modules/keys/keyring.js';
import { localKek } from '../../src/modules/crypto/index.js';
import { listShredReceipts, shredWorkspace } from '../../src/modules/keys/shred.js';
import {
  signShredReceipt,
  verifyShredReceipt,
  type SignedShredReceipt,
} from '../../src/modules/keys/shred-receipt.js';
import { signerFromSeed } from '../../src/modules/crypto/primitives/ed25519.js';
import { randomBytes } from 'node:crypto';
import { startRotation } from '../../src/modules/keys/rotation/rotate-dek.js';
import { memberToken, newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { call, expectError, seedContent } from '../support/http.js';
import {
  auditCounts,
  connectSuperuser,
  principal,
  startProcess,
  type Process,
  messageRef,
} from '../support/keys.js';
import { testRoots } from '../support/root-keys.js';

const masterKey = randomBytes(32);
let t: TestApp;
let other: Process;
let admin: pg.Client;

beforeAll(async () => {
  t = await startTestApp({ masterKey });
  other = await startProcess({ kek: localKek(masterKey) });
  admin = await connectSuperuser();
});
afterAll(async () => {
  await admin.end();
  await other.close();
  await t.close();
});

const ref = (id: string) => ({ table: 'messages', column: 'content', rowId: id });

async function workspaceWithContent(label: string) {
  const ws = await newWorkspace(t);
  const content = await seedContent(t, ws, label);
  const { rows } = await admin.query<{ name: string }>(
    'select name from wardroom.workspaces where tenant_id = $1',
    [ws.id],
  );
  return { ws, name: rows[0]!.name, ...content };
}

async function rawMessages(tenantId: string) {
  const { rows } = await admin.query<{ id: string; content: Buffer }>(
    'select id::text, content from wardroom.messages where tenant_id = $1',
    [tenantId],
  );
  return rows;
}

describe('crypto-shredding a workspace', () => {
  it('needs the exact workspace name and the owner role, and changes nothing otherwise', async () => {
    const v = await workspaceWithContent('victim');
    const admin2 = await memberToken(t, v.ws, 'admin');
    const url = `/api/v1/workspaces/${v.ws.id}/shred`;
    expectError(
      await call(t, 'POST', url, { token: admin2.token, payload: { confirm: v.name } }),
      403,
      'forbidden',
    );
    for (const confirm of [v.name.toUpperCase(), `${v.name} `, 'yes']) {
      expectError(
        await call(t, 'POST', url, { token: v.ws.ownerToken, payload: { confirm } }),
        400,
        'validation_failed',
      );
    }
    expectError(
      await call(t, 'POST', url, { token: v.ws.ownerToken, payload: {} }),
      400,
      'validation_failed',
    );
    const { rows } = await admin.query(
      'select 1 from wardroom.workspace_keys where tenant_id = $1',
      [v.ws.id],
    );
    expect(rows).toHaveLength(1);
    const list = await call(
      t,
      'GET',
      `/api/v1/workspaces/${v.ws.id}/conversations/${v.conversationId}/messages`,
      {
        token: v.ws.ownerToken,
      },
    );
    expect(list.statusCode).toBe(200);
  });

  it('destroys every key version: nothing of the workspace opens anywhere, another workspace still works', async () => {
    const v = await workspaceWithContent('victim');
    const bystander = await workspaceWithContent('bystander');
    // Add a second key version so more than one is destroyed.
    await startRotation(t.db, t.keyring, principal(v.ws.id));
    await seedContent(t, v.ws, 'victim-v2');
    const before = await rawMessages(v.ws.id);
    expect(before.length).toBe(2);
    // The other process has the victim's keys cached.
    await other.db.withTenant(principal(v.ws.id), async (tx) => {
      for (const m of before) await other.keyring.open(tx, await messageRef(tx, m.id), m.content);
    });
    const heard = other.nextEvent(v.ws.id);
    const res = await call(t, 'POST', `/api/v1/workspaces/${v.ws.id}/shred`, {
      token: v.ws.ownerToken,
      payload: { confirm: v.name },
    });
    expect(res.statusCode, res.body).toBe(200);
    // The answer adds the stored objects deleted after the shred; the signed receipt is the rest.
    const { objects_deleted: objects, ...receipt } = res.json<
      SignedShredReceipt & { objects_deleted: number | null }
    >();
    expect(objects).toBe(0);
    expect(receipt.receipt).toMatchObject({
      type: 'wardroom.shred_receipt.v1',
      workspace_id: v.ws.id,
      destroyed: [
        { version: 1, kek_id: 'env:default', kek_version: 1 },
        { version: 2, kek_id: 'env:default', kek_version: 1 },
      ],
      actor: { type: 'api_token', user_id: v.ws.ownerUserId },
      signing_key_id: t.auditSigner.keyId,
    });
    expect(verifyShredReceipt(receipt, t.auditSigner.publicKey)).toBe(true);
    expect(await heard).toEqual({ tenant_id: v.ws.id, event: 'shredded' });

    const keys = await admin.query('select 1 from wardroom.workspace_keys where tenant_id = $1', [
      v.ws.id,
    ]);
    expect(keys.rows).toHaveLength(0);
    const deleted = await auditCounts(admin, v.ws.id, 'workspace_key.deleted');
    expect(Object.fromEntries(deleted)).toEqual({ 1: 1, 2: 1 });

    // The ciphertext is still there, and opens nowhere.
    const after = await rawMessages(v.ws.id);
    expect(after).toEqual(before);
    const fresh = {
      db: other.db,
      keyring: createKeyring(localKek(masterKey), { roots: testRoots }),
    };
    for (const p of [t, other, fresh]) {
      await p.db.withTenant(principal(v.ws.id), async (tx) => {
        for (const m of after) {
          await expect(
            p.keyring.open(tx, await messageRef(tx, m.id), m.content),
          ).rejects.toMatchObject({
            code: 'key_unavailable',
          });
        }
        await expect(p.keyring.seal(tx, ref('new'), Buffer.from('x'))).rejects.toMatchObject({
          code: 'key_unavailable',
        });
      });
    }
    const read = await call(
      t,
      'GET',
      `/api/v1/workspaces/${v.ws.id}/conversations/${v.conversationId}/messages`,
      { token: v.ws.ownerToken },
    );
    // The workspace is gone: 410 on every route (shredded-routes.test.ts tries each).
    expectError(read, 410, 'workspace_shredded');
    expect(read.body).not.toContain('victim');
    // Another workspace, in every process, is untouched.
    const list = await call(
      t,
      'GET',
      `/api/v1/workspaces/${bystander.ws.id}/conversations/${bystander.conversationId}/messages`,
      { token: bystander.ws.ownerToken },
    );
    expect(list.json()).toMatchObject({ items: [{ content: 'bystander message' }] });
    for (const m of await rawMessages(bystander.ws.id)) {
      await other.db.withTenant(principal(bystander.ws.id), async (tx) => {
        expect(
          (await other.keyring.open(tx, await messageRef(tx, m.id), m.content)).toString(),
        ).toBe('bystander message');
      });
    }

    // Stored, listed, and a second shred is refused: over HTTP the workspace
    // is gone; the operator's shred finds no key left.
    const stored = await t.db.withTenant(principal(v.ws.id), (tx) =>
      listShredReceipts(tx, t.auditSigner),
    );
    expect(stored).toEqual([receipt]);
    expectError(
      await call(t, 'POST', `/api/v1/workspaces/${v.ws.id}/shred`, {
        token: v.ws.ownerToken,
        payload: { confirm: v.name },
      }),
      410,
      'workspace_shredded',
    );
    await expect(
      t.db.withTenant(principal(v.ws.id), (tx) =>
        shredWorkspace(tx, { keyring: t.keyring, signer: t.auditSigner }, { confirm: v.name }),
      ),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('a receipt fails verification once any field, byte or key is changed, with or without --public-key', async () => {
    const v = await workspaceWithContent('receipt');
    const res = await call(t, 'POST', `/api/v1/workspaces/${v.ws.id}/shred`, {
      token: v.ws.ownerToken,
      payload: { confirm: v.name },
    });
    const { objects_deleted: deleted, ...signed } = res.json<
      SignedShredReceipt & { objects_deleted: number | null }
    >();
    expect(deleted).toBe(0);
    const published = t.auditSigner.publicKey;
    expect(verifyShredReceipt(signed)).toBe(true);
    expect(verifyShredReceipt(signed, published)).toBe(true);
    const mutants = [...mutations(signed)];
    // Every leaf of the receipt body, the signature and the carried key, at least.
    expect(mutants.length).toBeGreaterThan(40);
    for (const [where, bad] of mutants) {
      expect(verifyShredReceipt(bad), where).toBe(false);
      expect(verifyShredReceipt(bad, published), `${where} with --public-key`).toBe(false);
    }
    // Another key: as the one to check against, carried instead, or signing a copy.
    const impostor = signerFromSeed(randomBytes(32));
    expect(verifyShredReceipt(signed, impostor.publicKey)).toBe(false);
    const carried = { ...signed, public_key: impostor.publicKey };
    expect(verifyShredReceipt(carried)).toBe(false);
    expect(verifyShredReceipt(carried, published)).toBe(false);
    const forged = signShredReceipt(impostor, {
      ...signed.receipt,
      signing_key_id: impostor.keyId,
    });
    expect(verifyShredReceipt(forged)).toBe(true); // integrity only, as documented
    expect(verifyShredReceipt(forged, published)).toBe(false);
    const relabelled = { ...forged, public_key: published };
    expect(verifyShredReceipt(relabelled, published)).toBe(false);
  });

  it('lists receipts with the key that signed them after the signing key changed', async () => {
    const v = await workspaceWithContent('rekeyed');
    const res = await call(t, 'POST', `/api/v1/workspaces/${v.ws.id}/shred`, {
      token: v.ws.ownerToken,
      payload: { confirm: v.name },
    });
    const { objects_deleted: deleted, ...signed } = res.json<
      SignedShredReceipt & { objects_deleted: number | null }
    >();
    expect(deleted).toBe(0);
    const next = signerFromSeed(randomBytes(32));
    const listed = await t.db.withTenant(principal(v.ws.id), (tx) => listShredReceipts(tx, next));
    expect(listed).toEqual([signed]);
    expect(listed[0]!.public_key).toBe(t.auditSigner.publicKey);
    expect(verifyShredReceipt(listed[0], t.auditSigner.publicKey)).toBe(true);
    expect(verifyShredReceipt(listed[0], next.publicKey)).toBe(false);
  });
});

/** Changes a base64 text to another spelling of the same bytes, if it has one (padding bits). */
function respelled(b64: string): string | undefined {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const body = b64.replace(/=+$/, '');
  const last = body[body.length - 1]!;
  const i = alphabet.indexOf(last);
  const alt = alphabet[i ^ 1]!;
  const candidate = `${body.slice(0, -1)}${alt}${b64.slice(body.length)}`;
  return Buffer.from(candidate, 'base64').equals(Buffer.from(b64, 'base64'))
    ? candidate
    : undefined;
}

/** Every single change of a signed receipt: each leaf value, each key, each base64 byte class. */
function* mutations(signed: SignedShredReceipt): Generator<[string, unknown]> {
  const clone = () => JSON.parse(JSON.stringify(signed)) as Record<string, unknown>;
  function* walk(path: (string | number)[], value: unknown): Generator<[string, unknown]> {
    const at = path.join('.');
    const set = (replacement: unknown) => {
      const copy = clone();
      let node = copy as Record<string | number, unknown>;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      node[path[path.length - 1]!] = replacement;
      return copy;
    };
    if (typeof value === 'string') {
      yield [`${at} appended`, set(`${value}0`)];
      if (value.length > 0) {
        const c = value[0] === 'a' ? 'b' : 'a';
        yield [`${at} first char`, set(`${c}${value.slice(1)}`)];
        yield [`${at} last char`, set(`${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`)];
        if (value.toUpperCase() !== value) yield [`${at} upper`, set(value.toUpperCase())];
      }
      yield [`${at} null`, set(null)];
      const alt = respelled(value);
      if (alt !== undefined && (at === 'signature' || at === 'public_key')) {
        yield [`${at} respelled`, set(alt)];
      }
    } else if (typeof value === 'number') {
      yield [`${at} +1`, set(value + 1)];
      yield [`${at} as text`, set(String(value))];
    } else if (value === null) {
      yield [`${at} filled`, set('someone')];
    } else if (Array.isArray(value)) {
      const items = value as unknown[];
      yield [`${at} emptied`, set([])];
      yield [`${at} doubled`, set([...items, ...items])];
      for (const [i, item] of items.entries()) yield* walk([...path, i], item);
    } else if (typeof value === 'object') {
      const copy = set({ ...value, extra: 1 });
      yield [`${at} extra key`, path.length === 0 ? { ...signed, extra: 1 } : copy];
      for (const [k, item] of Object.entries(value)) {
        const without = Object.fromEntries(Object.entries(value).filter(([key]) => key !== k));
        yield [`${at}.${k} removed`, path.length === 0 ? without : set(without)];
        yield* walk([...path, k], item);
      }
    }
  }
  yield* walk([], signed);
}
