/**
 * `wardroom credentials import` in process, against the run's test database:
 * legacy Fernet and secretbox ciphertexts become sealed credentials that open
 * to the original plaintexts; the output shows ids, fingerprints and last4
 * only; a bad entry or a reused label imports nothing; the key is taken only
 * from WARDROOM_IMPORT_KEY.
 */
import { systemPrincipal } from '../../src/db/principal.js';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cliRunner } from '../support/cli.js';
import { openCredentialSecret } from '../../src/modules/credentials/open-secret.js';
import { fernetEncrypt } from '../../src/modules/crypto/primitives/fernet.js';
import { secretboxSeal } from '../../src/modules/crypto/primitives/secretbox.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { rootKeyDir } from '../support/root-keys.js';

let dir: string;
let t: TestApp;
let admin: Admin;
let ws: TestWorkspace;
const masterKey = randomBytes(32).toString('base64');
const fernetKey = randomBytes(32).toString('base64url') + '=';
const boxKey = randomBytes(32);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-import-'));
  t = await startTestApp({ masterKey: Buffer.from(masterKey, 'base64') });
  admin = await connectAdmin();
  ws = await newWorkspace(t);
});
afterAll(async () => {
  await admin.close();
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(importKey: string | undefined, ...args: string[]) {
  return cliRunner({ masterKey, dataDir: dir })(
    args,
    importKey === undefined ? {} : { WARDROOM_IMPORT_KEY: importKey },
  );
}

async function file(lines: string[]): Promise<string> {
  const p = path.join(dir, `${randomUUID()}.txt`);
  await writeFile(p, lines.join('\n'));
  return p;
}

const importArgs = (p: string, format: string, kind: string, provider: string, label: string) => [
  'credentials',
  'import',
  '--workspace',
  ws.id,
  '--format',
  format,
  '--kind',
  kind,
  '--provider',
  provider,
  '--label',
  label,
  '--file',
  p,
];
const open = (id: string) =>
  t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) => openCredentialSecret(tx, t.keyring, id));
const count = async () => (await admin.counts(ws.id)).integration_credentials;

describe('wardroom credentials import', () => {
  it('imports Fernet tokens and prints ids, fingerprints and last4 only', async () => {
    const keys = [
      `sk-ant-${randomBytes(12).toString('hex')}`,
      `sk-ant-${randomBytes(12).toString('hex')}`,
    ];
    const p = await file([
      fernetEncrypt(fernetKey, keys[0]!),
      JSON.stringify({ token: fernetEncrypt(fernetKey, keys[1]!), label: 'Claude (team B)' }),
    ]);
    const { out, err } = await run(
      fernetKey,
      ...importArgs(p, 'fernet', 'llm_api_key', 'anthropic', 'Claude'),
    );
    expect(err).toEqual([]);
    expect(out).toHaveLength(3);
    expect(out[2]).toBe(`Imported 2 credential(s) into workspace ${ws.id}.`);
    for (const [i, key] of keys.entries()) {
      const match = /^([0-9a-f-]{36}) {2}fingerprint ([0-9a-f]{16}) {2}last4 (\S{4})$/.exec(
        out[i]!,
      );
      expect(match, out[i]).not.toBeNull();
      expect(match?.[3]).toBe(key.slice(-4));
      expect(await open(match![1]!)).toMatchObject({ kind: 'llm_api_key', secret: { value: key } });
    }
    for (const key of keys) expect(out.join('\n')).not.toContain(key);
    const labels = await admin.client.query<{ label: string }>(
      'select label from wardroom.integration_credentials where tenant_id = $1 and label like $2 order by label',
      [ws.id, 'Claude%'],
    );
    expect(labels.rows.map((r) => r.label)).toEqual(['Claude #1', 'Claude (team B)']);
  });

  it('imports secretboxes (OAuth token sets) with --json output', async () => {
    const set = {
      access_token: `xoxb-${randomBytes(12).toString('hex')}`,
      scopes: ['channels:read'],
    };
    const nonce = randomBytes(24);
    const sealed = secretboxSeal(boxKey, nonce, Buffer.from(JSON.stringify(set)));
    const p = await file([Buffer.concat([nonce, sealed]).toString('base64')]);
    const { out } = await run(
      boxKey.toString('base64'),
      ...importArgs(p, 'secretbox', 'oauth', 'slack', 'Slack'),
      '--json',
    );
    const [imported] = JSON.parse(out.join('')) as {
      id: string;
      fingerprint: string;
      last4: string;
    }[];
    expect(Object.keys(imported ?? {}).sort()).toEqual(['fingerprint', 'id', 'last4']);
    expect(await open(imported!.id)).toMatchObject({
      kind: 'oauth',
      provider: 'slack',
      secret: set,
    });
  });

  it('imports nothing when one entry is bad, naming its line', async () => {
    const good = fernetEncrypt(fernetKey, `whk-${randomBytes(12).toString('hex')}`);
    const bad = fernetEncrypt(randomBytes(32).toString('base64url') + '=', 'whk-other-key-value');
    const p = await file([good, '', bad]);
    const before = await count();
    await expect(
      run(fernetKey, ...importArgs(p, 'fernet', 'webhook_api_key', 'custom', 'hooks')),
    ).rejects.toMatchObject({
      code: 'decryption_failed',
      message: 'line 3: fernet token rejected: bad hmac',
    });
    expect(await count()).toBe(before);
  });

  it('imports nothing when a label is taken (a file imported twice)', async () => {
    const p = await file([
      fernetEncrypt(fernetKey, `whk-${randomBytes(12).toString('hex')}`),
      fernetEncrypt(fernetKey, `whk-${randomBytes(12).toString('hex')}`),
    ]);
    const args = importArgs(p, 'fernet', 'webhook_api_key', 'custom', `twice ${randomUUID()}`);
    await run(fernetKey, ...args);
    const before = await count();
    await expect(run(fernetKey, ...args)).rejects.toMatchObject({ code: 'conflict' });
    expect(await count()).toBe(before);
  });

  it('takes the key only from WARDROOM_IMPORT_KEY, and checks every option', async () => {
    const p = await file([fernetEncrypt(fernetKey, 'whk-0123456789abcdef')]);
    const args = importArgs(p, 'fernet', 'webhook_api_key', 'custom', 'k');
    await expect(run(undefined, ...args)).rejects.toMatchObject({
      code: 'validation_failed',
      message: /Set WARDROOM_IMPORT_KEY/,
    });
    await expect(run(undefined, ...args, '--key', fernetKey)).rejects.toMatchObject({
      code: 'commander.unknownOption',
    });
    await expect(
      run(fernetKey, ...importArgs(p, 'fernet', 'webhook_api_key', 'slack', 'k')),
    ).rejects.toMatchObject({
      message: '--provider must be one of custom for --kind webhook_api_key',
    });
    await expect(
      run(fernetKey, ...importArgs(p, 'pgp', 'webhook_api_key', 'custom', 'k')),
    ).rejects.toMatchObject({
      message: '--format must be one of fernet, secretbox',
    });
    const elsewhere = [...args];
    elsewhere[3] = randomUUID();
    await expect(run(fernetKey, ...elsewhere)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reads standard input in the real executable, and reports a bad line on stderr', async () => {
    const exec = (input: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            'src/cli/main.ts',
            'credentials',
            'import',
            '--workspace',
            ws.id,
            '--format',
            'fernet',
            '--kind',
            'mcp_client',
            '--provider',
            'notion',
            '--label',
            `stdin ${randomUUID()}`,
          ],
          {
            env: {
              PATH: process.env['PATH'] ?? '',
              DATABASE_URL: inject('adminUrl'),
              DATABASE_APP_URL: inject('appUrl'),
              DATABASE_JOBS_URL: inject('jobsUrl'),
              WARDROOM_DB_ROLE_PREFIX: inject('rolePrefix'),
              WARDROOM_MASTER_KEY: masterKey,
              WARDROOM_DATA_DIR: dir,
              // The workspace key store the test's in-process keyrings share.
              WARDROOM_WORKSPACE_KEY_DIR: rootKeyDir,
              WARDROOM_IMPORT_KEY: fernetKey,
            },
            stdio: ['pipe', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(input);
      });
    const value = `mcp-${randomBytes(12).toString('hex')}`;
    const ok = await exec(`${fernetEncrypt(fernetKey, value)}\n`);
    expect(ok, ok.stderr).toMatchObject({ code: 0 });
    const id = /^([0-9a-f-]{36}) /.exec(ok.stdout)?.[1] ?? '';
    expect(await open(id)).toMatchObject({ kind: 'mcp_client', secret: { value } });
    expect(ok.stdout + ok.stderr).not.toContain(value);
    const before = await count();
    const bad = await exec(`${fernetEncrypt(fernetKey, value)}\nnot-a-token\n`);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      'error [decryption_failed]: line 2: fernet token rejected: not valid base64url',
    );
    expect(bad.stdout + bad.stderr).not.toContain(value);
    expect(await count()).toBe(before);
  }, 60_000);
});
