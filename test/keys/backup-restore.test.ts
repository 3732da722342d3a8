/**
 * Shredding survives a database backup restore. A copy of the database
 * taken before the shred (CREATE DATABASE ... TEMPLATE, a byte-for-byte
 * copy, the wrapped data keys included), served again by a fresh server
 * with the same master key and the same workspace key store, opens nothing
 * of the shredded workspace: the shred destroyed its root key in the store,
 * outside the database. Before root keys, the restored copy served the
 * plaintext again: the control below shows the same copy, restored before
 * the shred, serving it.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { quoteIdent } from '../../src/db/roles.js';
import { fileKeyStore, type WorkspaceKeyStore } from '../../src/modules/crypto/index.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/databases.js';
import { call, seedContent } from '../support/http.js';
import { messageRef, principal } from '../support/keys.js';

const masterKey = randomBytes(32);
const storeDir = mkdtempSync(path.join(os.tmpdir(), 'wardroom-restore-roots-'));
let roots: WorkspaceKeyStore;
let source: TestDatabase;
const backupName = `wardroom_backup_${randomBytes(5).toString('hex')}`;

/** A URL like `url` on the backup database. */
function onBackup(url: string): string {
  const u = new URL(url);
  u.pathname = `/${backupName}`;
  return u.toString();
}

async function superuser(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

beforeAll(async () => {
  roots = await fileKeyStore(storeDir);
  source = await createTestDatabase(inject('clusterUrl'));
});
afterAll(async () => {
  const admin = await superuser(inject('clusterUrl'));
  try {
    await admin.query(`drop database if exists ${quoteIdent(backupName)} with (force)`);
  } finally {
    await admin.end();
  }
  await dropTestDatabase(inject('clusterUrl'), source);
});

function readMessages(t: TestApp, ws: TestWorkspace, conversationId: string) {
  return call(t, 'GET', `/api/v1/workspaces/${ws.id}/conversations/${conversationId}/messages`, {
    token: ws.ownerToken,
  });
}

/** A server on `appUrl` with the deployment's master key and workspace key store. */
function serverOn(appUrl: string): Promise<TestApp> {
  return startTestApp({ masterKey, appUrl, roots });
}

describe('a shredded workspace in a database backup restored afterwards', () => {
  it('opens nothing: reads answer key_unavailable and a captured envelope does not open', async () => {
    // Before: a workspace with a sealed message, read back in plaintext.
    const before = await serverOn(source.appUrl);
    const ws = await newWorkspace(before);
    const content = await seedContent(before, ws, 'restorable');
    const read = await readMessages(before, ws, content.conversationId);
    expect(read.statusCode).toBe(200);
    expect(read.body).toContain('restorable message');
    await before.close();

    const admin = await superuser(source.adminUrl);
    const captured = await admin.query<{ content: Buffer; name: string }>(
      `select m.content, w.name from wardroom.messages m
         join wardroom.workspaces w using (tenant_id) where m.id = $1`,
      [content.messageId],
    );
    const { content: envelope, name } = captured.rows[0]!;
    await admin.end();

    // The backup: a copy of the whole database, taken with nothing connected to it.
    const cluster = await superuser(inject('clusterUrl'));
    const sourceName = new URL(source.adminUrl).pathname.slice(1);
    await cluster.query(
      `create database ${quoteIdent(backupName)} template ${quoteIdent(sourceName)}`,
    );
    await cluster.end();

    // Control: restored before the shred, the copy serves the plaintext.
    const control = await serverOn(onBackup(source.appUrl));
    const served = await readMessages(control, ws, content.conversationId);
    expect(served.statusCode).toBe(200);
    expect(served.body).toContain('restorable message');
    await control.close();

    // The shred, on the live database.
    const live = await serverOn(source.appUrl);
    const shred = await call(live, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
      token: ws.ownerToken,
      payload: { confirm: name },
    });
    expect(shred.statusCode, shred.body).toBe(200);
    expect(readdirSync(storeDir).filter((f) => f.startsWith(ws.id))).toEqual([]);
    await live.close();

    // The restore: a fresh server on the pre-shred copy, same master key, same key store.
    const restored = await serverOn(onBackup(source.appUrl));
    try {
      const backupAdmin = await superuser(onBackup(source.adminUrl));
      const keys = await backupAdmin.query(
        'select 1 from wardroom.workspace_keys where tenant_id = $1',
        [ws.id],
      );
      await backupAdmin.end();
      expect(keys.rows).toHaveLength(1); // the wrapped data key came back with the restore
      const res = await readMessages(restored, ws, content.conversationId);
      expect(res.statusCode).not.toBe(200);
      expect(res.body).not.toContain('restorable');
      expect(res.json()).toMatchObject({ error: { code: 'key_unavailable' } });
      await expect(
        restored.db.withTenant(principal(ws.id), async (tx) =>
          restored.keyring.open(tx, await messageRef(tx, content.messageId), envelope),
        ),
      ).rejects.toMatchObject({ code: 'key_unavailable' });
      // Asked again, it still fails: nothing was cached, nothing came back.
      const again = await readMessages(restored, ws, content.conversationId);
      expect(again.json()).toMatchObject({ error: { code: 'key_unavailable' } });
    } finally {
      await restored.close();
    }
  });
});
