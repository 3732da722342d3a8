/**
 * The key commands in process, against the run's test database: rotate
 * (running the sweep in the command's own worker and printing progress),
 * status, set-min-version, workspace shred and verify-receipt.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cliHarness } from '../support/cli.js';
import { systemPrincipal } from '../../src/db/principal.js';
import { createStorage, folderStore, objectKey } from '../../src/modules/storage/index.js';
import type { KeyStatus } from '../../src/modules/keys/rotation/status.js';
import { call } from '../support/http.js';
import { connectSuperuser } from '../support/keys.js';

const cli = cliHarness('wardroom-keys-cli-');
const run = cli.run;

async function workspaceWithMessages(name: string, count: number) {
  const made = await run(
    'workspace',
    'create',
    '--name',
    name,
    '--owner-email',
    `${name}@x.test`,
    '--json',
  );
  const ws = JSON.parse(made.out.join('')) as { workspace_id: string; token: string };
  const base = `/api/v1/workspaces/${ws.workspace_id}`;
  const room = await call(cli.app(), 'POST', `${base}/workrooms`, {
    token: ws.token,
    payload: { name: 'r' },
  });
  const roomId = room.json<{ id: string }>().id;
  const conv = await call(cli.app(), 'POST', `${base}/workrooms/${roomId}/conversations`, {
    token: ws.token,
    payload: {},
  });
  const convId = conv.json<{ id: string }>().id;
  for (let i = 0; i < count; i += 1) {
    const res = await call(cli.app(), 'POST', `${base}/conversations/${convId}/messages`, {
      token: ws.token,
      payload: { content: `message ${i}` },
    });
    expect(res.statusCode).toBe(201);
  }
  return {
    id: ws.workspace_id,
    token: ws.token,
    roomUrl: `${base}/workrooms/${roomId}`,
    roomId,
    messagesUrl: `${base}/conversations/${convId}/messages`,
  };
}

async function status(id: string): Promise<KeyStatus> {
  const { out } = await run('keys', 'status', '--workspace', id, '--json');
  return JSON.parse(out.join('')) as KeyStatus;
}

describe('wardroom keys', () => {
  it('rotate waits for the sweep and prints progress; status and set-min-version follow', async () => {
    const ws = await workspaceWithMessages('rotor', 30);
    // A sealed credential too: the sweep covers every registered sealed field.
    const credential = await call(cli.app(), 'POST', `/api/v1/workspaces/${ws.id}/credentials`, {
      token: ws.token,
      payload: {
        kind: 'llm_api_key',
        provider: 'anthropic',
        label: 'rotor key',
        secret: { value: `sk-ant-${randomBytes(16).toString('hex')}` },
      },
    });
    expect(credential.statusCode, credential.body).toBe(201);
    await expect(
      run('keys', 'set-min-version', '--workspace', ws.id, '--version', '2'),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    const sealedRows = (await status(ws.id)).fields.reduce(
      (n, f) => n + (f.rows_by_version['1'] ?? 0),
      0,
    );
    expect(sealedRows).toBeGreaterThan(30);
    const rotated = await run('keys', 'rotate', '--workspace', ws.id, '--batch-size', '7');
    expect(rotated.out[0]).toBe(
      `${ws.id}: data key v2 is primary, ${sealedRows} row(s) to re-seal`,
    );
    expect(rotated.out.at(-1)).toMatch(
      new RegExp(
        `^sweep: ${sealedRows}/${sealedRows} rows re-sealed, \\d+ rows/s, 1/1 workspace\\(s\\) finished$`,
      ),
    );
    expect(await status(ws.id)).toMatchObject({
      min_version: 1,
      versions: [
        { version: 1, primary: false, rooted: true },
        { version: 2, primary: true, rooted: true },
      ],
      root_key: { store: 'file' },
      sweep: { status: 'done', rows_done: sealedRows, rows_total: sealedRows },
    });
    expect((await status(ws.id)).fields.find((f) => f.field === 'messages.content')).toEqual({
      field: 'messages.content',
      rows_by_version: { 2: 30 },
      rows_on_old_versions: 0,
    });
    for (const f of (await status(ws.id)).fields) expect(f.rows_on_old_versions, f.field).toBe(0);
    const read = await call(cli.app(), 'GET', `/api/v1/workspaces/${ws.id}/credentials`, {
      token: ws.token,
    });
    expect(read.statusCode, read.body).toBe(200);
    const text = await run('keys', 'status', '--workspace', ws.id);
    expect(text.out).toContain('  messages.content: v2: 30; 0 on older versions');
    expect(text.out.filter((l) => / key v\d/.test(l)).every((l) => l.includes(', rooted,'))).toBe(
      true,
    );
    expect(text.out).toContain(`  root key: file ${(await status(ws.id)).root_key?.ref ?? ''}`);
    expect(
      (await run('keys', 'set-min-version', '--workspace', ws.id, '--version', '2')).out,
    ).toEqual([`${ws.id}: data key versions below 2 no longer open`]);
    expect((await status(ws.id)).min_version).toBe(2);
    // The HTTP app (another process, not listening) still reads everything: all rows are on v2.
    const list = await call(cli.app(), 'GET', ws.messagesUrl, { token: ws.token });
    expect(list.statusCode, list.body).toBe(200);
  });

  it('rotate --no-wait only queues, and resume runs the queued sweep', async () => {
    const ws = await workspaceWithMessages('queued', 5);
    const queued = await run('keys', 'rotate', '--workspace', ws.id, '--no-wait');
    expect(queued.out.at(-1)).toBe(
      '1 sweep(s) queued for the server worker (see `wardroom keys status`)',
    );
    expect((await status(ws.id)).sweep).toMatchObject({ status: 'pending', rows_done: 0 });
    const resumed = await run('keys', 'resume', '--workspace', ws.id, '--writers', '1');
    // Five messages and the workroom's sealed name.
    expect(resumed.out.at(-1)).toMatch(/^sweep: 6\/6 rows re-sealed/);
    expect((await status(ws.id)).sweep).toMatchObject({ status: 'done', rows_done: 6 });
  });

  it('refuses rotate without exactly one of --workspace and --all, or with a bad --writers', async () => {
    await expect(run('keys', 'rotate')).rejects.toMatchObject({ code: 'validation_failed' });
    const ws = await workspaceWithMessages('untouched', 1);
    for (const writers of ['0', '9', 'two']) {
      await expect(
        run('keys', 'rotate', '--workspace', ws.id, '--writers', writers),
      ).rejects.toMatchObject({ code: 'validation_failed' });
    }
    // Refused before anything was done: still one key version, no sweep.
    expect(await status(ws.id)).toMatchObject({ versions: [{ version: 1 }], sweep: null });
  });

  it('seal-names seals a name written before migration 011 and clears its plaintext', async () => {
    const ws = await workspaceWithMessages('legacy', 0);
    const admin = await connectSuperuser();
    try {
      const legacy = `legacy-${randomBytes(4).toString('hex')}`;
      await admin.query(
        'update wardroom.workrooms set name = $1, name_sealed = null where tenant_id = $2 and id = $3',
        [legacy, ws.id, ws.roomId],
      );
      await expect(run('keys', 'seal-names')).rejects.toMatchObject({ code: 'validation_failed' });
      const { out } = await run('keys', 'seal-names', '--workspace', ws.id);
      expect(out).toEqual([
        `${ws.id}: sealed workrooms.name_sealed 1, conversations.title_sealed 0, memberships.display_name_sealed 0`,
      ]);
      const { rows } = await admin.query<{ name: string | null; sealed: boolean }>(
        'select name, name_sealed is not null as sealed from wardroom.workrooms where id = $1',
        [ws.roomId],
      );
      expect(rows).toEqual([{ name: null, sealed: true }]);
      const room = await call(cli.app(), 'GET', ws.roomUrl, { token: ws.token });
      expect(room.json()).toMatchObject({ name: legacy });
    } finally {
      await admin.end();
    }
  });

  it('workspace shred needs the name, prints a receipt that verify-receipt accepts', async () => {
    const ws = await workspaceWithMessages('doomed', 2);
    await expect(run('workspace', 'shred', ws.id, '--confirm', 'wrong')).rejects.toMatchObject({
      code: 'validation_failed',
    });
    // A stored object of the workspace, in the CLI's store (WARDROOM_DATA_DIR/objects).
    const store = folderStore(path.join(cli.dataDir(), 'objects'));
    const objects = createStorage({
      store,
      db: cli.app().db,
      keyring: cli.app().keyring,
      linkSecret: randomBytes(32),
      publicUrl: 'http://127.0.0.1:8080',
    });
    const key = objectKey(ws.id, 'exports', 'before-shred.zip');
    await objects.write(systemPrincipal(ws.id, 'test'), key, Readable.from([Buffer.from('x')]));
    const { out, err } = await run('workspace', 'shred', ws.id, '--confirm', 'doomed');
    expect(err).toEqual(['deleted 1 stored object(s) of the workspace']);
    expect(await store.exists(key)).toBe(false);
    const receipt = JSON.parse(out.join('')) as {
      receipt: { actor: { type: string; id: string } };
      public_key: string;
    };
    expect(receipt.receipt.actor.type).toBe('ops');
    expect(receipt.receipt.actor.id).toMatch(/^cli:/);
    const file = path.join(cli.dataDir(), 'receipt.json');
    await writeFile(file, JSON.stringify(receipt));
    expect((await run('keys', 'verify-receipt', file)).out[0]).toMatch(
      /^shred receipt: signature valid/,
    );
    const tampered = {
      ...receipt,
      receipt: { ...receipt.receipt, actor: { type: 'ops', id: 'someone', user_id: null } },
    };
    await writeFile(file, JSON.stringify(tampered));
    await expect(run('keys', 'verify-receipt', file)).rejects.toMatchObject({
      code: 'validation_failed',
    });
    // The carried public key is checked against --public-key, and signed through signing_key_id.
    const published = receipt.public_key;
    await writeFile(file, JSON.stringify(receipt));
    expect((await run('keys', 'verify-receipt', file, '--public-key', published)).out).toEqual([
      'shred receipt: signature valid',
    ]);
    const other = randomBytes(32).toString('base64');
    await expect(run('keys', 'verify-receipt', file, '--public-key', other)).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await writeFile(file, JSON.stringify({ ...receipt, public_key: other }));
    for (const args of [[], ['--public-key', published]]) {
      await expect(run('keys', 'verify-receipt', file, ...args)).rejects.toMatchObject({
        code: 'validation_failed',
      });
    }
    expect(await status(ws.id)).toMatchObject({ shredded: true, versions: [] });
    // The workspace is gone over HTTP.
    const read = await call(cli.app(), 'GET', ws.messagesUrl, { token: ws.token });
    expect(read.statusCode, read.body).toBe(410);
  });
});
