/**
 * An exported log proves its own completeness offline: an export fetched over
 * HTTP ends with its signed head, and `wardroom audit verify --file
 * --public-key` fails, naming the first bad seq, on a file cut short, edited
 * and rehashed (the chain recomputed with the repo's own hashing), reordered,
 * extended past its head, with a forged head signature or checked with
 * another key. Without a key it says that only the chain was checked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpoint } from '../../src/modules/audit/checkpoints.js';
import { eventHash, type AuditRecord } from '../../src/modules/audit/event.js';
import { verifyExportFile } from '../../src/modules/audit/verify-file.js';
import { signerFromSeed } from '../../src/modules/crypto/primitives/ed25519.js';
import { bearer, type TestWorkspace } from '../support/app.js';
import { workspaceWithHistory } from '../support/audit.js';
import { cliHarness } from '../support/cli.js';

const h = cliHarness('wardroom-export-file-');
let dir: string;
let ws: TestWorkspace;
let key: string;
let jsonl: string[];
let csv: string[];

async function download(format: 'jsonl' | 'csv'): Promise<string> {
  const res = await h.app().app.inject({
    url: `/api/v1/workspaces/${ws.id}/activity/export?format=${format}`,
    headers: bearer(ws.ownerToken),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.body;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-export-files-'));
  ws = await workspaceWithHistory(h.app());
  key = h.app().auditSigner.publicKey;
  // The checkpoint goes to a folder of its own, so only the head proves anything.
  await createCheckpoint(h.app().db, h.app().auditSigner, path.join(dir, 'cp'), ws.id);
  jsonl = (await download('jsonl')).split('\n').slice(0, -1);
  csv = (await download('csv')).split('\r\n').slice(0, -1);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
async function save(lines: readonly string[], ext: 'jsonl' | 'csv'): Promise<string> {
  n += 1;
  const file = path.join(dir, `export-${n}.${ext}`);
  await writeFile(
    file,
    lines.join(ext === 'csv' ? '\r\n' : '\n') + (ext === 'csv' ? '\r\n' : '\n'),
  );
  return file;
}

const events = () => jsonl.slice(0, -1).map((l) => JSON.parse(l) as AuditRecord);
const head = () => jsonl.at(-1)!;
/** `wardroom audit verify --file`, with the server's public key unless `withKey` is false. */
const verify = (file: string, withKey = true) =>
  h.run(
    'audit',
    'verify',
    '--file',
    file,
    '--checkpoints',
    path.join(dir, 'none'),
    ...(withKey ? ['--public-key', key] : []),
  );

/** The CLI fails (exit 1) naming `seq` as the first bad one; so does verifyExportFile. */
async function expectFails(file: string, seq: number, problem: RegExp, publicKey = key) {
  const args = ['audit', 'verify', '--file', file, '--checkpoints', path.join(dir, 'none')];
  const run = await h.attempt(...args, '--public-key', publicKey);
  expect(run.error).toMatchObject({ code: 'validation_failed' });
  expect(run.out).toEqual([]);
  expect(run.err[0]).toMatch(
    new RegExp(`^FAILED ${ws.id}: first bad seq ${seq}: .*; \\d+ signed checkpoints? used$`),
  );
  expect(run.err[0]).toMatch(problem);
  const result = await verifyExportFile(file, { checkpointDir: path.join(dir, 'none'), publicKey });
  expect(result).toMatchObject({ ok: false, firstBadSeq: seq });
  expect(result.problem).toMatch(problem);
}

/** `records` with event `from` edited and every hash from it on recomputed (eventHash). */
function rehashFrom(records: readonly AuditRecord[], from: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const r of records) {
    if (r.seq < from) {
      out.push(r);
      continue;
    }
    const prev = out.at(-1)!.hash;
    const edited = r.seq === from ? { ...r, actor_name: 'someone else' } : r;
    const relinked = { ...edited, prev_hash: prev };
    out.push({ ...relinked, hash: eventHash(relinked) });
  }
  return out;
}

describe('an export from GET /activity/export', () => {
  it('ends with the signed head of its last event, and verifies with the public key', async () => {
    const last = events().at(-1)!;
    expect(JSON.parse(head())).toMatchObject({
      checkpoint: { tenant_id: ws.id, seq: last.seq, hash: last.hash },
    });
    for (const file of [await save(jsonl, 'jsonl'), await save(csv, 'csv')]) {
      const { out } = await verify(file);
      expect(out).toEqual([
        `ok ${ws.id}: ${last.seq} events, head seq ${last.seq}, complete up to the signed head seq ${last.seq}; 1 signed checkpoint used`,
      ]);
    }
  });

  it('fails when its last lines are cut, the head with them or not', async () => {
    const seq = events().length;
    await expectFails(await save(jsonl.slice(0, -3), 'jsonl'), seq - 1, /no signed head/);
    await expectFails(await save(jsonl.slice(0, -1), 'jsonl'), seq + 1, /no signed head/);
    const kept = [...jsonl.slice(0, -3), head()];
    await expectFails(await save(kept, 'jsonl'), seq - 1, /missing/);
    await expectFails(await save(csv.slice(0, -2), 'csv'), seq, /no signed head/);
  });

  it('fails when an event was edited and the chain rehashed from it', async () => {
    const rehashed = rehashFrom(events(), 3).map((r) => JSON.stringify(r));
    const file = await save([...rehashed, head()], 'jsonl');
    // The chain alone is intact: only the signed head tells.
    expect((await verify(file, false)).out[0]).toMatch(/^ok /);
    await expectFails(file, events().length, /differs from the signed head/);
  });

  it('fails with a forged head signature, or with another public key', async () => {
    const forged = JSON.parse(head()) as { checkpoint: Record<string, unknown> };
    forged.checkpoint['signature'] = randomBytes(64).toString('base64');
    const seq = events().length;
    await expectFails(
      await save([...jsonl.slice(0, -1), JSON.stringify(forged)], 'jsonl'),
      seq,
      /signature/,
    );
    const other = signerFromSeed(randomBytes(32)).publicKey;
    await expectFails(await save(jsonl, 'jsonl'), seq, /signature/, other);
  });

  it('fails when lines are reordered, the head moved, or an event follows the head', async () => {
    const lines = [...jsonl];
    [lines[3], lines[4]] = [lines[4]!, lines[3]!];
    await expectFails(await save(lines, 'jsonl'), 4, /missing|order/);
    const moved = [...jsonl.slice(0, 5), head(), ...jsonl.slice(5, -1)];
    await expectFails(await save(moved, 'jsonl'), 6, /follows the signed head/);
    const rest = events();
    const extra = rehashFrom([...rest, { ...rest.at(-1)!, seq: rest.length + 1 }], rest.length + 1);
    const appended = [...jsonl, JSON.stringify(extra.at(-1))];
    await expectFails(await save(appended, 'jsonl'), rest.length + 1, /follows the signed head/);
  });

  it('without --public-key, passes on chain integrity only and says so', async () => {
    const run = await verify(await save(jsonl.slice(0, -3), 'jsonl'), false);
    expect(run.out).toEqual([
      `ok ${ws.id}: ${events().length - 2} events, head seq ${events().length - 2}, chain intact; completeness and authorship NOT checked (no --public-key); 0 signed checkpoints used`,
    ]);
    expect(run.err.join('\n')).toContain('without --public-key');
  });
});
