/**
 * Workspace root keys, held outside the database, as attacks see them: a
 * root key file copied under another workspace's name, or relabelled by
 * hand, opens nothing of that workspace; a missing file is key_unavailable,
 * and is asked for again (not cached) once it is back; a Vault or KMS root
 * key destroyed by a shred refuses to open; a shred whose root key cannot be
 * destroyed fails and changes nothing; and an existing (unrooted) workspace
 * becomes rooted by `keys rotate`.
 */
import { copyFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fileKeyStore,
  localKek,
  vaultKeyStore,
  type WorkspaceKeyStore,
} from '../../src/modules/crypto/index.js';
import { kmsKeyStore } from '../../src/modules/crypto/workspace-keys/kms-store.js';
import { createKeyring, type Keyring } from '../../src/modules/keys/keyring.js';
import { startRotation } from '../../src/modules/keys/rotation/rotate-dek.js';
import { keyStatus } from '../../src/modules/keys/rotation/status.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { startFakeKms, type FakeKms } from '../support/fake-kms.js';
import { startFakeVault, type FakeVault } from '../support/fake-vault.js';
import { call, seedContent } from '../support/http.js';
import { connectSuperuser, messageRef, principal } from '../support/keys.js';

const masterKey = randomBytes(32);
const dir = mkdtempSync(path.join(os.tmpdir(), 'wardroom-root-files-'));
let files: WorkspaceKeyStore;
let t: TestApp;
let admin: pg.Client;

beforeAll(async () => {
  files = await fileKeyStore(dir);
  t = await startTestApp({ masterKey, roots: files });
  admin = await connectSuperuser();
});
afterAll(async () => {
  await admin.end();
  await t.close();
});

interface Victim {
  readonly ws: TestWorkspace;
  readonly messageId: string;
  readonly envelope: Buffer;
  readonly file: string;
}

async function workspaceIn(app: TestApp, marker: string): Promise<Victim> {
  const ws = await newWorkspace(app);
  const { messageId } = await seedContent(app, ws, marker);
  const { rows } = await admin.query<{ content: Buffer; ref: string }>(
    `select m.content, r.ref from wardroom.messages m
       join wardroom.workspace_root_keys r using (tenant_id) where m.id = $1`,
    [messageId],
  );
  return { ws, messageId, envelope: rows[0]!.content, file: path.join(dir, rows[0]!.ref) };
}

/** Opens the victim's message with `keyring` (a fresh one has nothing cached). */
function openWith(app: TestApp, keyring: Keyring, v: Victim): Promise<Buffer> {
  return app.db.withTenant(principal(v.ws.id), async (tx) =>
    keyring.open(tx, await messageRef(tx, v.messageId), v.envelope),
  );
}

const fresh = (roots: WorkspaceKeyStore = files): Keyring =>
  createKeyring(localKek(masterKey), { roots });

describe('root key files', () => {
  it('are private, and one copied under another workspace name opens nothing of it', async () => {
    const a = await workspaceIn(t, 'alpha');
    const b = await workspaceIn(t, 'bravo');
    expect((await openWith(t, fresh(), b)).toString()).toBe('bravo message');
    const { statSync } = await import('node:fs');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(b.file).mode & 0o777).toBe(0o600);
    const original = readFileSync(b.file);
    try {
      copyFileSync(a.file, b.file);
      await expect(openWith(t, fresh(), b)).rejects.toMatchObject({ code: 'key_unavailable' });
      // Relabelled by hand as b's: the derivation binds the workspace, so it still opens nothing.
      const secretOfA = readFileSync(a.file).subarray(-32);
      const headerOfB = original.subarray(0, original.length - 32);
      writeFileSync(b.file, Buffer.concat([headerOfB, secretOfA]));
      await expect(openWith(t, fresh(), b)).rejects.toMatchObject({ code: 'decryption_failed' });
    } finally {
      writeFileSync(b.file, original);
    }
    expect((await openWith(t, fresh(), b)).toString()).toBe('bravo message');
  });

  it('missing is key_unavailable over HTTP too, and is read again once it is back', async () => {
    const v = await workspaceIn(t, 'charlie');
    const keyring = fresh();
    renameSync(v.file, `${v.file}.aside`);
    try {
      await expect(openWith(t, keyring, v)).rejects.toMatchObject({ code: 'key_unavailable' });
      const other = await startTestApp({ masterKey, roots: files });
      try {
        const { rows } = await admin.query<{ conversation_id: string }>(
          'select conversation_id from wardroom.messages where id = $1',
          [v.messageId],
        );
        const res = await call(
          other,
          'GET',
          `/api/v1/workspaces/${v.ws.id}/conversations/${rows[0]!.conversation_id}/messages`,
          { token: v.ws.ownerToken },
        );
        expect(res.json()).toMatchObject({ error: { code: 'key_unavailable' } });
        expect(res.body).not.toContain('charlie message');
      } finally {
        await other.close();
      }
    } finally {
      renameSync(`${v.file}.aside`, v.file);
    }
    // Not negatively cached: the same keyring opens it now.
    expect((await openWith(t, keyring, v)).toString()).toBe('charlie message');
  });

  it('refuses a recorded reference that is not this workspace file', async () => {
    const a = await workspaceIn(t, 'delta');
    const b = await workspaceIn(t, 'echo');
    for (const ref of [path.basename(a.file), `../${path.basename(b.file)}`, '/etc/passwd']) {
      await admin.query('update wardroom.workspace_root_keys set ref = $2 where tenant_id = $1', [
        b.ws.id,
        ref,
      ]);
      await expect(openWith(t, fresh(), b)).rejects.toMatchObject({ code: 'key_unavailable' });
    }
  });

  it('is destroyed by a shred: overwritten and unlinked, recorded in the receipt', async () => {
    const v = await workspaceIn(t, 'foxtrot');
    const { rows } = await admin.query<{ name: string }>(
      'select name from wardroom.workspaces where tenant_id = $1',
      [v.ws.id],
    );
    const res = await call(t, 'POST', `/api/v1/workspaces/${v.ws.id}/shred`, {
      token: v.ws.ownerToken,
      payload: { confirm: rows[0]!.name },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      receipt: { root_key: { store: 'file', ref: path.basename(v.file) } },
    });
    expect(() => readFileSync(v.file)).toThrow(/ENOENT/);
    const left = await admin.query(
      'select 1 from wardroom.workspace_root_keys where tenant_id = $1',
      [v.ws.id],
    );
    expect(left.rows).toEqual([]);
  });
});

describe('an existing workspace without a root key', () => {
  it('becomes rooted by keys rotate: old rows still open, the new version is rooted', async () => {
    // As before migration 012: no root key, version 1 not rooted, content sealed with the data key.
    const ws = await newWorkspace(t);
    await admin.query('delete from wardroom.workspace_root_keys where tenant_id = $1', [ws.id]);
    await admin.query('update wardroom.workspace_keys set rooted = false where tenant_id = $1', [
      ws.id,
    ]);
    t.keyring.forget(ws.id);
    const legacy = await seedContent(t, ws, 'legacy');
    const before = await t.db.withTenant(principal(ws.id), (tx) => keyStatus(tx, ws.id));
    expect(before.root_key).toBeNull();
    expect(before.versions.map((x) => x.rooted)).toEqual([false]);

    await startRotation(t.db, t.keyring, principal(ws.id));
    const after = await t.db.withTenant(principal(ws.id), (tx) => keyStatus(tx, ws.id));
    expect(after.root_key?.store).toBe('file');
    expect(after.versions.map((x) => [x.version, x.rooted])).toEqual([
      [1, false],
      [2, true],
    ]);
    const newer = await seedContent(t, ws, 'rooted');
    const { rows } = await admin.query<{ id: string; content: Buffer }>(
      'select id::text, content from wardroom.messages where id = any($1)',
      [[legacy.messageId, newer.messageId]],
    );
    for (const row of rows) {
      const opened = await t.db.withTenant(principal(ws.id), async (tx) =>
        fresh().open(tx, await messageRef(tx, row.id), row.content),
      );
      expect(opened.toString()).toMatch(/^(legacy|rooted) message$/);
    }
  });
});

describe('provider-held root keys', () => {
  let vault: FakeVault;
  let kms: FakeKms;
  beforeAll(async () => {
    vault = await startFakeVault();
    kms = await startFakeKms();
  });
  afterAll(async () => {
    await vault.close();
    await kms.close();
  });

  async function shredAndReopen(roots: WorkspaceKeyStore, marker: string) {
    const app = await startTestApp({ masterKey, roots });
    try {
      const ws = await newWorkspace(app);
      const { messageId } = await seedContent(app, ws, marker);
      const { rows } = await admin.query<{ content: Buffer; name: string; ref: string }>(
        `select m.content, w.name, r.ref from wardroom.messages m
           join wardroom.workspaces w using (tenant_id)
           join wardroom.workspace_root_keys r using (tenant_id) where m.id = $1`,
        [messageId],
      );
      const row = rows[0]!;
      const v = { ws, messageId, envelope: row.content, file: '' };
      expect((await openWith(app, fresh(roots), v)).toString()).toBe(`${marker} message`);
      // The root row as it was, to put back afterwards the way a restore would.
      const saved = await admin.query(
        'select * from wardroom.workspace_root_keys where tenant_id = $1',
        [ws.id],
      );
      const res = await call(app, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
        token: ws.ownerToken,
        payload: { confirm: row.name },
      });
      expect(res.statusCode, res.body).toBe(200);
      const r = saved.rows[0] as { store: string; ref: string; sealed_secret: Buffer };
      await admin.query(
        `insert into wardroom.workspace_root_keys (tenant_id, store, ref, sealed_secret)
         values ($1, $2, $3, $4)`,
        [ws.id, r.store, r.ref, r.sealed_secret],
      );
      // The root row is back, as from a backup, but its key is gone from the provider.
      await expect(
        roots.open(ws.id, { store: roots.kind, ref: r.ref, sealed: r.sealed_secret }),
      ).rejects.toMatchObject({ code: 'key_unavailable' });
      return { ref: row.ref };
    } finally {
      await app.close();
    }
  }

  it('Vault: a transit key per workspace, deleted by the shred', async () => {
    const roots = vaultKeyStore({ addr: vault.addr, token: vault.token, key: 'wardroom' });
    const { ref } = await shredAndReopen(roots, 'vault');
    expect(ref).toMatch(/^wardroom-ws-[0-9a-f-]{36}$/);
    expect(vault.hasKey(ref)).toBe(false);
    expect(vault.calls).toContain(`POST keys/${ref}/config`);
    expect(vault.calls).toContain(`DELETE keys/${ref}`);
  });

  it('KMS: a key per workspace, disabled at once and scheduled for deletion in 7 days', async () => {
    const roots = kmsKeyStore({
      region: kms.region,
      endpoint: kms.endpoint,
      credentials: kms.credentials,
    });
    try {
      const { ref } = await shredAndReopen(roots, 'kms');
      expect(kms.stateOf(ref)).toEqual({ state: 'PendingDeletion', pendingWindowInDays: 7 });
    } finally {
      roots.close?.();
    }
  });

  it('a shred whose root key cannot be destroyed fails and changes nothing', async () => {
    const gone = await startFakeVault();
    const roots = vaultKeyStore({ addr: gone.addr, token: gone.token, key: 'wardroom' });
    const app = await startTestApp({ masterKey, roots });
    try {
      const ws = await newWorkspace(app);
      const { rows } = await admin.query<{ name: string }>(
        'select name from wardroom.workspaces where tenant_id = $1',
        [ws.id],
      );
      await gone.close(); // Vault unreachable when the shred comes
      const res = await call(app, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
        token: ws.ownerToken,
        payload: { confirm: rows[0]!.name },
      });
      expect(res.json()).toMatchObject({ error: { code: 'key_unavailable' } });
      const count = async (table: string) =>
        (await admin.query(`select 1 from wardroom.${table} where tenant_id = $1`, [ws.id])).rows
          .length;
      expect(await count('workspace_keys')).toBe(1);
      expect(await count('workspace_root_keys')).toBe(1);
      expect(await count('shred_receipts')).toBe(0);
    } finally {
      await app.close();
    }
  });
});
