/**
 * Keys deleted outside Wardroom's own path (psql, a restore, an operator's
 * script: no key event) stop working within the key cache's bound in a
 * process that had them cached, and a key whose row is still there is
 * trusted again after the bound without being unwrapped again.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KekProvider } from '../../src/modules/crypto/index.js';
import {
  connectSuperuser,
  kekV1,
  newFilledWorkspace,
  principal,
  startProcess,
  type Filled,
  type Process,
  messageRef,
} from '../support/keys.js';

const BOUND_MS = 400;
let unwraps = 0;
const counting: KekProvider = {
  ...kekV1,
  unwrap: (wrapped, context) => {
    unwraps += 1;
    return kekV1.unwrap(wrapped, context);
  },
};
let writer: Process;
let reader: Process;
let admin: pg.Client;

beforeAll(async () => {
  writer = await startProcess();
  reader = await startProcess({ kek: counting, keyTtlMs: BOUND_MS });
  admin = await connectSuperuser();
});
afterAll(async () => {
  await admin.end();
  await reader.close();
  await writer.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function openAll(p: Process, ws: Filled): Promise<string[]> {
  return p.db.withTenant(principal(ws.tenantId), async (tx) => {
    const rows = await tx.selectFrom('messages').select(['id', 'content']).orderBy('id').execute();
    const out: string[] = [];
    for (const r of rows)
      out.push((await p.keyring.open(tx, await messageRef(tx, r.id), r.content)).toString());
    return out;
  });
}

const probe = { table: 'messages', column: 'content', rowId: 'probe' };
const seal = (p: Process, ws: Filled) =>
  p.db.withTenant(principal(ws.tenantId), (tx) => p.keyring.seal(tx, probe, Buffer.from('x')));

describe('the key cache bound', () => {
  it('stops a process opening or sealing with keys deleted behind its back', async () => {
    const ws = await newFilledWorkspace(writer, 3);
    expect(await openAll(reader, ws)).toEqual([...ws.messages.values()]);
    await seal(reader, ws);
    // No key event: the rows just go.
    await admin.query('delete from wardroom.workspace_keys where tenant_id = $1', [ws.tenantId]);
    await sleep(BOUND_MS + 100);
    await expect(openAll(reader, ws)).rejects.toMatchObject({ code: 'key_unavailable' });
    await expect(seal(reader, ws)).rejects.toMatchObject({ code: 'key_unavailable' });
  });

  it('trusts a key whose row is still there again without unwrapping it again', async () => {
    const ws = await newFilledWorkspace(writer, 3);
    await openAll(reader, ws);
    await seal(reader, ws);
    const before = unwraps;
    await sleep(BOUND_MS + 100);
    expect(await openAll(reader, ws)).toEqual([...ws.messages.values()]);
    await seal(reader, ws);
    expect(unwraps).toBe(before);
  });
});
