/**
 * The purge survives restarts and runs exactly once: a worker in a child
 * process claims a due purge and is SIGKILLed mid-purge (right after the
 * claim commits, or right after the shred commits, before the objects are
 * deleted). A fresh worker then finishes it from where it stopped: one
 * shred (one receipt stored), the objects deleted, the receipt emailed to
 * each owner exactly once; further sweeps change and send nothing.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import { purgeWorkspaceStep } from '../../src/modules/billing/index.js';
import type { Mailer } from '../../src/modules/mail/index.js';
import { folderStore, objectKey } from '../../src/modules/storage/index.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { memberToken, newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { call } from '../support/http.js';
import { rootKeyDir } from '../support/root-keys.js';
import type { TestSmtp } from '../support/smtp.js';
import { repoRoot } from '../support/wardroom-process.js';
import { PLANS, purgeDeps, SECRET, smtpMailer, subscription } from './purge-helpers.js';

const masterKey = randomBytes(32);
const seed = randomBytes(32);
const objectsDir = mkdtempSync(path.join(tmpdir(), 'wardroom-purge-objects-'));
let t: TestApp;
let admin: Admin;
let smtp: TestSmtp;
let mailer: Mailer;

beforeAll(async () => {
  t = await startTestApp({
    masterKey,
    storage: { store: folderStore(objectsDir) },
    billing: { plans: PLANS, stripeWebhookSecret: SECRET },
  });
  admin = await connectAdmin();
  ({ smtp, mailer } = await smtpMailer());
});
afterAll(async () => {
  mailer.close();
  await smtp.close();
  await admin.close();
  await t.close();
});

/** Runs the child worker until it reports `stopAt`, then SIGKILLs it. */
async function killWorkerAt(workspaceId: string, now: Date, stopAt: string, dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/purge-child.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      PURGE_APP_URL: inject('appUrl'),
      PURGE_MASTER_KEY: masterKey.toString('base64'),
      PURGE_ROOTS_DIR: rootKeyDir,
      PURGE_OBJECTS_DIR: objectsDir,
      PURGE_DATA_DIR: dataDir,
      PURGE_SIGNER_SEED: seed.toString('base64'),
      PURGE_WORKSPACE: workspaceId,
      PURGE_NOW: now.toISOString(),
      PURGE_STOP_AT: stopAt,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`step ${stopAt}\n`)) resolve();
    });
    void exited.then(() => reject(new Error(`worker exited early: ${out} ${err}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return out;
}

async function emailOf(userId: string): Promise<string> {
  const { rows } = await admin.client.query<{ email: string }>(
    'select email from wardroom.users where id = $1',
    [userId],
  );
  return rows[0]!.email;
}

describe('a purge whose worker is killed mid-purge', () => {
  it.each(['claimed', 'shredded'])(
    'is finished by the next worker, exactly once (killed after: %s)',
    async (stopAt) => {
      const ws = await newWorkspace(t);
      const second = await memberToken(t, ws, 'owner');
      const key = objectKey(ws.id, 'exports', 'kept-until-purge.zip');
      await t.storage.write(systemPrincipal(ws.id, 'test'), key, Readable.from([Buffer.from('x')]));
      await call(t, 'PUT', `/api/v1/workspaces/${ws.id}/billing/purge`, {
        token: ws.ownerToken,
        payload: { enabled: true },
      });
      await subscription(t, ws.id, 'active');
      await subscription(t, ws.id, 'canceled');
      const { rows: due } = await admin.client.query<{ due_at: Date }>(
        'select due_at from wardroom.workspace_purges where tenant_id = $1',
        [ws.id],
      );
      const dueAt = due[0]!.due_at;
      let now = new Date(dueAt.getTime() - 86_400_000);
      const deps = purgeDeps(t, mailer, () => now, seed);
      expect((await purgeWorkspaceStep(deps, ws.id)).warned).toBe(true); // the last warning
      now = dueAt;

      const childData = mkdtempSync(path.join(tmpdir(), 'wardroom-purge-child-'));
      const out = await killWorkerAt(ws.id, now, stopAt, childData);
      expect(out).not.toContain('finished');
      const mid = await admin.client.query<{ state: string; shred_receipt_id: string | null }>(
        'select state, shred_receipt_id from wardroom.workspace_purges where tenant_id = $1',
        [ws.id],
      );
      expect(mid.rows[0]?.state).toBe('purging');
      expect(mid.rows[0]?.shred_receipt_id !== null).toBe(stopAt === 'shredded');
      expect(await t.storage.store.exists(key)).toBe(true);
      // The killed worker sent nothing.
      expect(() => readdirSync(path.join(childData, 'outbox'))).toThrow();

      // A new worker (this process) finishes it; more sweeps do nothing more.
      const first = await purgeWorkspaceStep(deps, ws.id);
      expect(first.purge).toMatchObject({ objectsDeleted: 1, receiptsSent: 2 });
      const idle = { warned: false, purge: undefined };
      expect(await purgeWorkspaceStep(deps, ws.id)).toEqual(idle);
      expect(await purgeWorkspaceStep(deps, ws.id)).toEqual(idle);

      const receipts = await admin.client.query(
        'select id from wardroom.shred_receipts where tenant_id = $1',
        [ws.id],
      );
      expect(receipts.rows).toHaveLength(1);
      expect(await t.storage.store.exists(key)).toBe(false);
      const done = await admin.client.query<{ state: string; objects_deleted: number }>(
        'select state, objects_deleted from wardroom.workspace_purges where tenant_id = $1',
        [ws.id],
      );
      expect(done.rows[0]).toEqual({ state: 'done', objects_deleted: 1 });
      for (const owner of [await emailOf(ws.ownerUserId), await emailOf(second.userId)]) {
        const got = smtp.received.filter(
          (r) => r.to.includes(owner) && /was deleted \(receipt/.test(r.mail.subject ?? ''),
        );
        expect(got).toHaveLength(1);
      }
      const { rows: events } = await admin.client.query<{ action: string }>(
        `select action from wardroom.audit_log where tenant_id = $1
           and action in ('workspace.purge.started', 'workspace.purge.shredded', 'workspace.purge.completed')
         order by id`,
        [ws.id],
      );
      expect(events.map((e) => e.action)).toEqual([
        'workspace.purge.started',
        'workspace.purge.shredded',
        'workspace.purge.completed',
      ]);
    },
  );
});
