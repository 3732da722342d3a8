/**
 * No secret reaches a log line, CLI output, an error response or an audit
 * row. A full flow runs through the real server (pino at `trace` into
 * memory) and the CLI in process (its output and its stderr logger
 * captured): a workspace, messages, credentials created, replaced, revoked
 * and imported, and failures (bad requests, a failed import, tampered
 * ciphertexts). Then every captured text is searched for every secret, key,
 * token and plaintext used, raw and as base64, base64url and hex. The one
 * allowed appearance is the API token, printed once by `workspace create`.
 */
import { systemPrincipal } from '../../src/db/principal.js';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCredentialSecret } from '../../src/modules/credentials/open-secret.js';
import { fernetEncrypt } from '../../src/modules/crypto/primitives/fernet.js';
import { secretboxSeal } from '../../src/modules/crypto/primitives/secretbox.js';
import { corpus, findLeaks } from '../support/log-capture.js';
import { startHarness, type Harness } from '../support/logs-harness.js';

const hex = () => randomBytes(16).toString('hex');
const masterKey = randomBytes(32);
const fernetKey = randomBytes(32).toString('base64url') + '=';
const boxKey = randomBytes(32);
const s = {
  message1: `msg-plaintext-${hex()}`,
  message2: `msg-plaintext-${hex()}`,
  oauthAccess: `ya29.${hex()}`,
  oauthRefresh: `1//refresh-${hex()}`,
  llmKey: `sk-ant-${hex()}`,
  llmReplacement: `sk-ant-${hex()}`,
  webhookKey: `whk_${hex()}`,
  rejectedKey: `sk-ant-${hex()}`,
  malformedKey: `sk-ant-${hex()}`,
  importedFernet: `sk-ant-${hex()}`,
  importedBox: `EAAG${hex()}`,
  failedImport: `whk_${hex()}`,
  ssoSecret: `sso-${hex()}`,
  ssoReplacement: `sso-${hex()}`,
  ssoRejected: `sso-${hex()}`,
};
/** Every secret of the run, by name (the API token is added once minted). */
const secrets: Record<string, string | Buffer> = { masterKey, fernetKey, boxKey, ...s };
let h: Harness;
let tokenLine = '';

beforeAll(async () => {
  h = await startHarness(masterKey);
});
afterAll(() => h.close());

const status = async (p: Promise<{ statusCode: number }>) => (await p).statusCode;
const idOf = async (p: Promise<LightMyRequestResponse>) => (await p).json<{ id: string }>().id;

describe('a full flow at log level trace', () => {
  it('runs, with failures where expected', async () => {
    const email = `owner-${hex()}@leak.test`;
    await h.cli(
      fernetKey,
      'workspace',
      'create',
      '--name',
      'Leaks',
      '--owner-email',
      email,
      '--json',
    );
    tokenLine = h.out.texts.find((t) => t.source === 'cli stdout')?.text ?? '';
    const created = JSON.parse(tokenLine) as { workspace_id: string; token: string };
    h.session = { ws: created.workspace_id, token: created.token };
    secrets['apiToken'] = created.token;
    secrets['apiTokenSecret'] = Buffer.from(created.token.slice(3), 'base64url').subarray(32);

    const room = await idOf(h.http('POST', '/workrooms', { name: 'Room' }));
    const conv = await idOf(h.http('POST', `/workrooms/${room}/conversations`, {}));
    for (const content of [s.message1, s.message2]) {
      expect(await status(h.http('POST', `/conversations/${conv}/messages`, { content }))).toBe(
        201,
      );
    }

    const credential = (kind: string, provider: string, label: string, secret: object) =>
      h.http('POST', '/credentials', { kind, provider, label, secret });
    const oauth = { access_token: s.oauthAccess, refresh_token: s.oauthRefresh };
    expect(await status(credential('oauth', 'google', 'g', oauth))).toBe(201);
    const llm = await idOf(credential('llm_api_key', 'anthropic', 'llm', { value: s.llmKey }));
    const replace = { secret: { value: s.llmReplacement } };
    expect(await status(h.http('PUT', `/credentials/${llm}`, replace))).toBe(200);
    const hook = await idOf(credential('webhook_api_key', 'custom', 'h', { value: s.webhookKey }));
    expect(await status(h.http('DELETE', `/credentials/${hook}`))).toBe(204);

    // An SSO connection's client secret: set, replaced, and sent with a refused issuer.
    const sso = (clientSecret: string, issuer = 'https://idp.leak.test') =>
      h.http('POST', '/sso/connections', {
        kind: 'oidc',
        name: 'IdP',
        issuer,
        client_id: 'wardroom',
        client_secret: clientSecret,
        allowed_domains: ['leak.test'],
      });
    const connection = await idOf(sso(s.ssoSecret));
    const patch = { client_secret: s.ssoReplacement };
    expect(await status(h.http('PATCH', `/sso/connections/${connection}`, patch))).toBe(200);
    expect(await status(sso(s.ssoRejected, 'http://idp.leak.test'))).toBe(400);

    // Bad requests carrying secrets: a wrong provider, secrets as field names, malformed JSON.
    const key = s.rejectedKey;
    const bad = [
      credential('llm_api_key', 'custom', 'x', { value: key }),
      credential('llm_api_key', 'anthropic', 'x', { [key]: key }),
      h.http('PUT', `/credentials/${llm}`, { secret: { value: key }, [key]: true }),
      h.http(
        'POST',
        '/credentials',
        `{"kind":"llm_api_key","secret":{"value":"${s.malformedKey}"x}}`,
      ),
      h.http('PUT', `/credentials/${llm}`, `{"secret":{"value":${s.malformedKey}}}`),
    ];
    for (const res of bad) expect(await status(res)).toBe(400);

    const fernet = ['--format', 'fernet', '--kind', 'llm_api_key', '--provider', 'anthropic'];
    await h.importFile(fernetKey, [fernetEncrypt(fernetKey, s.importedFernet)], ...fernet);
    const nonce = randomBytes(24);
    const box = secretboxSeal(boxKey, nonce, Buffer.from(s.importedBox));
    const boxArgs = ['--format', 'secretbox', '--kind', 'whatsapp_token', '--provider', 'whatsapp'];
    const boxLine = Buffer.concat([nonce, box]).toString('base64');
    await h.importFile(boxKey.toString('base64'), [boxLine], ...boxArgs);
    const otherKey = randomBytes(32).toString('base64url') + '=';
    const lines = [
      fernetEncrypt(fernetKey, s.failedImport),
      fernetEncrypt(otherKey, s.failedImport),
    ];
    const hooks = ['--format', 'fernet', '--kind', 'webhook_api_key', '--provider', 'custom'];
    await expect(h.importFile(fernetKey, lines, ...hooks)).rejects.toMatchObject({
      code: 'decryption_failed',
    });

    // Tampered ciphertexts, as the superuser: listing messages answers 500; opening fails.
    const flip = (table: string, column: string) =>
      h.admin.client.query(
        `update wardroom.${table} set ${column} = set_byte(${column}, 60, get_byte(${column}, 60) # 1)
          where tenant_id = $1 and ${column} is not null`,
        [h.session.ws],
      );
    await flip('messages', 'content');
    expect(await status(h.http('GET', `/conversations/${conv}/messages`))).toBe(500);
    await flip('integration_credentials', 'secret');
    const principal = systemPrincipal(h.session.ws, 'test');
    const opened = h.db.withTenant(principal, (tx) => openCredentialSecret(tx, h.keyring, llm));
    await expect(opened).rejects.toMatchObject({ code: 'decryption_failed' });
    await opened.catch((e: unknown) =>
      h.out.add('open error', `${String(e)} ${JSON.stringify(e)}`),
    );
  });

  it('leaks no secret into logs, CLI output, error responses or the audit log', async () => {
    for (const line of h.logLines) h.out.add('server log', line);
    for (const chunk of h.cliStderr) h.out.add('cli log', chunk);
    const { rows } = await h.admin.client.query<{ row: string }>(
      'select row_to_json(a)::text as row from wardroom.audit_log a where tenant_id = $1',
      [h.session.ws],
    );
    for (const r of rows) h.out.add('audit row', r.row);
    // Something was captured everywhere, or the search proves nothing.
    expect(h.app.log.level).toBe('trace');
    expect(h.logLines.filter((l) => l.includes('incoming request')).length).toBeGreaterThan(10);
    expect(h.logLines.some((l) => l.includes('decryption_failed'))).toBe(true);
    expect(h.cliStderr.join('').length).toBeGreaterThan(0);
    expect(rows.some((r) => r.row.includes('integration_credential.updated'))).toBe(true);

    const isTokenLine = (source: string, text: string, name: string) =>
      name.startsWith('apiToken') && source === 'cli stdout' && text === tokenLine;
    expect(findLeaks(h.out, secrets, isTokenLine)).toEqual([]);
    // The token itself appears exactly once: the line that printed it.
    const token = h.session.token;
    expect(h.out.texts.filter((t) => t.text.includes(token))).toEqual([
      { source: 'cli stdout', text: tokenLine },
    ]);
  });

  it('would notice a leak (the search itself works)', () => {
    const c = corpus();
    c.add('log', `{"msg":"x","key":"${masterKey.toString('hex')}"}`);
    c.add('log', `error: ... "${s.llmKey.slice(10)}" is not valid JSON`);
    expect(findLeaks(c, { masterKey, llmKey: s.llmKey }).map((l) => l.secret)).toEqual([
      'masterKey',
      'llmKey',
    ]);
  });
});
