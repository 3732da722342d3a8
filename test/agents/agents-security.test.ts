/**
 * Agents' security claims, tested adversarially: the system prompt is only
 * ciphertext in the database, and a prompt moved to another agent, or an
 * older one written back after an edit, fails to open; another workspace's
 * agent id answers 404 and changes nothing; bad input gets a stable code
 * and writes nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PriceBook } from '../../src/modules/gateway/index.js';
import { readEnvelopeHeader } from '../../src/modules/crypto/envelope.js';
import { startRotation } from '../../src/modules/keys/rotation/rotate-dek.js';
import { runSweep } from '../../src/modules/keys/rotation/sweep.js';
import { principal } from '../support/keys.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { call, expectError } from '../support/http.js';

let t: TestApp;
let admin: Admin;
let A: TestWorkspace;
let B: TestWorkspace;
beforeAll(async () => {
  // An operator-priced model, as WARDROOM_LLM_PRICES would add it.
  t = await startTestApp({
    priceBook: new PriceBook({ 'openai:house-model-1': { input: '1', output: '2' } }),
  });
  admin = await connectAdmin();
  A = await newWorkspace(t);
  B = await newWorkspace(t);
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const unique = () => randomBytes(6).toString('hex');
const url = (w: TestWorkspace, id?: string) =>
  `/api/v1/workspaces/${w.id}/agents${id === undefined ? '' : `/${id}`}`;

async function create(w: TestWorkspace, prompt: string, name = `Agent ${unique()}`) {
  const res = await call(t, 'POST', url(w), {
    token: w.ownerToken,
    payload: { name, provider: 'anthropic', model: 'claude-haiku-4-5', system_prompt: prompt },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; name: string }>();
}

async function stored(id: string): Promise<{ system_prompt: Buffer; prompt_version: number }> {
  const { rows } = await admin.client.query<{ system_prompt: Buffer; prompt_version: number }>(
    'select system_prompt, prompt_version from wardroom.agents where id = $1',
    [id],
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`no agent ${id}`);
  return row;
}

async function edit(sql: string, params: unknown[]): Promise<void> {
  expect((await admin.client.query(sql, params)).rowCount).toBe(1);
}

describe('the sealed system prompt', () => {
  it('is ciphertext in the database', async () => {
    const prompt = `sealed-prompt-${unique()}`;
    const made = await create(A, prompt);
    const row = await stored(made.id);
    expect(row.prompt_version).toBe(1);
    expect(row.system_prompt.toString('latin1')).not.toContain(prompt);
    expect(row.system_prompt.toString('latin1')).not.toContain(prompt.slice(-12));
  });

  it('fails to open when moved to another agent, and opens again when put back', async () => {
    const source = await create(A, `source-${unique()}`);
    const target = await create(A, `target-${unique()}`);
    const original = (await stored(target.id)).system_prompt;
    await edit('update wardroom.agents set system_prompt = $1 where id = $2', [
      (await stored(source.id)).system_prompt,
      target.id,
    ]);
    const moved = await call(t, 'GET', url(A, target.id), { token: A.ownerToken });
    expectError(moved, 500, 'decryption_failed');
    expect(moved.body).not.toContain('source-');
    await edit('update wardroom.agents set system_prompt = $1 where id = $2', [
      original,
      target.id,
    ]);
    const back = await call(t, 'GET', url(A, target.id), { token: A.ownerToken });
    expect(back.statusCode, back.body).toBe(200);
  });

  it('fails to open when an older prompt is written back after an edit', async () => {
    const made = await create(A, `old-${unique()}`);
    const old = await stored(made.id);
    const res = await call(t, 'PATCH', url(A, made.id), {
      token: A.ownerToken,
      payload: { system_prompt: `new-${unique()}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await stored(made.id)).prompt_version).toBe(2);
    await edit('update wardroom.agents set system_prompt = $1 where id = $2', [
      old.system_prompt,
      made.id,
    ]);
    const rolledBack = await call(t, 'GET', url(A, made.id), { token: A.ownerToken });
    expectError(rolledBack, 500, 'decryption_failed');
    expect(rolledBack.body).not.toContain('old-');
  });

  it("fails to open in another workspace's agent of the same id", async () => {
    const inA = await create(A, `tenant-a-${unique()}`);
    const inB = await create(B, `tenant-b-${unique()}`);
    // Give B's agent A's id and A's ciphertext: the workspace is bound into the envelope.
    const sealed = (await stored(inA.id)).system_prompt;
    await edit('update wardroom.agents set id = $1, system_prompt = $2 where id = $3', [
      inA.id,
      sealed,
      inB.id,
    ]);
    const res = await call(t, 'GET', url(B, inA.id), { token: B.ownerToken });
    expectError(res, 500, 'decryption_failed');
    expect(res.body).not.toContain('tenant-a-');
  });
});

describe('key rotation', () => {
  it('re-seals prompts under the new key version, and they read the same', async () => {
    const w = await newWorkspace(t);
    const prompt = `rotated-${unique()}`;
    const made = await create(w, prompt);
    const edited = await call(t, 'PATCH', url(w, made.id), {
      token: w.ownerToken,
      payload: { system_prompt: prompt },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const started = await startRotation(t.db, t.keyring, principal(w.id));
    const done = await runSweep(t.db, t.keyring, principal(w.id), started.rotationId, {
      batchSize: 50,
    });
    expect(done).toMatchObject({ status: 'done', toVersion: 2 });
    const row = await stored(made.id);
    expect(row.prompt_version).toBe(2);
    expect(readEnvelopeHeader(row.system_prompt).keyVersion).toBe(2);
    const read = await call(t, 'GET', url(w, made.id), { token: w.ownerToken });
    expect(read.json<{ system_prompt: string }>().system_prompt).toBe(prompt);
  });
});

describe('another workspace', () => {
  it('answers 404 for its agent id on every agent route, and changes nothing', async () => {
    const victim = await create(B, `victim-${unique()}`);
    const before = [await admin.snapshot(A.id), await admin.snapshot(B.id)];
    const attempts: [string, object | undefined][] = [
      ['GET', undefined],
      ['PATCH', { system_prompt: 'intruder' }],
      ['PATCH', { archived: true }],
      ['PATCH', { name: 'pwned' }],
    ];
    for (const [method, payload] of attempts) {
      // A's owner, on A's URL, naming B's agent: RLS hides it.
      const res = await call(t, method as 'GET' | 'PATCH', url(A, victim.id), {
        token: A.ownerToken,
        ...(payload === undefined ? {} : { payload }),
      });
      expectError(res, 404, 'not_found', `${method} ${JSON.stringify(payload)}`);
      expect(res.body).not.toContain('victim-');
      expect(res.body).not.toContain(victim.name);
    }
    const listed = await call(t, 'GET', `${url(A)}?status=all`, { token: A.ownerToken });
    expect(listed.body).not.toContain(victim.id);
    expect([await admin.snapshot(A.id), await admin.snapshot(B.id)]).toEqual(before);
  });
});

describe('bad input', () => {
  it('gets a stable code and writes nothing', async () => {
    const taken = await create(A, 'taken');
    const good = { name: `Good ${unique()}`, provider: 'openai', model: 'gpt-4o-mini' };
    const cases: [string, 'POST' | 'PATCH', string | undefined, unknown, number, string][] = [
      [
        'unpriced model',
        'POST',
        undefined,
        { ...good, model: 'gpt-99-turbo' },
        400,
        'llm_model_unpriced',
      ],
      [
        'model of the other provider',
        'POST',
        undefined,
        { ...good, model: 'claude-haiku-4-5' },
        400,
        'validation_failed',
      ],
      [
        'embedding model',
        'POST',
        undefined,
        { ...good, model: 'text-embedding-3-small' },
        400,
        'validation_failed',
      ],
      [
        'output above the ceiling',
        'POST',
        undefined,
        { ...good, max_output_tokens: 16_385 },
        400,
        'validation_failed',
      ],
      [
        'zero output',
        'POST',
        undefined,
        { ...good, max_output_tokens: 0 },
        400,
        'validation_failed',
      ],
      [
        'unknown provider',
        'POST',
        undefined,
        { ...good, provider: 'mistral' },
        400,
        'validation_failed',
      ],
      ['empty name', 'POST', undefined, { ...good, name: '   ' }, 400, 'validation_failed'],
      [
        'control character in name',
        'POST',
        undefined,
        { ...good, name: 'a\u0007b' },
        400,
        'validation_failed',
      ],
      [
        'model with spaces',
        'POST',
        undefined,
        { ...good, model: 'gpt 4o' },
        400,
        'validation_failed',
      ],
      [
        'NUL in prompt',
        'POST',
        undefined,
        { ...good, system_prompt: 'a\u0000b' },
        400,
        'validation_failed',
      ],
      [
        'prompt too long',
        'POST',
        undefined,
        { ...good, system_prompt: 'x'.repeat(50_001) },
        400,
        'validation_failed',
      ],
      ['unknown field', 'POST', undefined, { ...good, temperature: 2 }, 400, 'validation_failed'],
      ['not JSON', 'POST', undefined, '{"name":', 400, 'invalid_json'],
      ['empty edit', 'PATCH', taken.id, {}, 400, 'validation_failed'],
      ['unpriced edit', 'PATCH', taken.id, { model: 'claude-9' }, 400, 'llm_model_unpriced'],
      ['mismatched edit', 'PATCH', taken.id, { provider: 'openai' }, 400, 'validation_failed'],
      ['bad id', 'PATCH', 'not-a-uuid', { name: 'x' }, 400, 'validation_failed'],
      [
        'unknown id',
        'PATCH',
        '0190c0de-0000-7000-8000-000000000000',
        { name: 'x' },
        404,
        'not_found',
      ],
    ];
    const before = await admin.snapshot(A.id);
    for (const [label, method, id, payload, status, code] of cases) {
      const res = await call(t, method, url(A, id), {
        token: A.ownerToken,
        payload: payload as object | string,
        headers: { 'content-type': 'application/json' },
      });
      expectError(res, status, code, label);
    }
    expect(await admin.snapshot(A.id)).toEqual(before);
  });

  it('accepts a model the operator priced, within the route bound', async () => {
    const res = await call(t, 'POST', url(A), {
      token: A.ownerToken,
      payload: { name: `House ${unique()}`, provider: 'openai', model: 'house-model-1' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ model: 'house-model-1', max_output_tokens: 4096 });
  });
});
