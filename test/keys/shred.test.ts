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
import { listShredReceipts } from '../../src/modules/keys/shred.js';
import {
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
    const receipt = res.json<SignedShredReceipt>();
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
    expect(read.statusCode).toBe(500);
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

    // Stored, listed, and a second shred is refused.
    const stored = await t.db.withTenant(principal(v.ws.id), (tx) =>
      listShredReceipts(tx, t.auditSigner),
    );
    expect(stored).toEqual([receipt]);
    expectError(
      await call(t, 'POST', `/api/v1/workspaces/${v.ws.id}/shred`, {
        token: v.ws.ownerToken,
        payload: { confirm: v.name },
      }),
      409,
      'conflict',
    );
  });

  it('a receipt fails verification once any field is changed, or under another key', async () => {
    const v = await workspaceWithContent('receipt');
    const res = await call(t, 'POST', `/api/v1/workspaces/${v.ws.id}/shred`, {
      token: v.ws.ownerToken,
      payload: { confirm: v.name },
    });
    const signed = res.json<SignedShredReceipt>();
    expect(verifyShredReceipt(signed)).toBe(true);
    const tampered: unknown[] = [
      { ...signed, receipt: { ...signed.receipt, shredded_at: new Date(0).toISOString() } },
      { ...signed, receipt: { ...signed.receipt, destroyed: [] } },
      { ...signed, receipt: { ...signed.receipt, workspace_id: v.conversationId } },
      { ...signed, signature: Buffer.alloc(64).toString('base64') },
      { ...signed, receipt: { ...signed.receipt, extra: true } },
    ];
    for (const bad of tampered) expect(verifyShredReceipt(bad)).toBe(false);
    const impostor = signerFromSeed(randomBytes(32));
    expect(verifyShredReceipt(signed, impostor.publicKey)).toBe(false);
    expect(verifyShredReceipt(signed, t.auditSigner.publicKey)).toBe(true);
  });
});
