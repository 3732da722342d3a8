/**
 * TLS to PostgreSQL: a database off this machine is refused at startup
 * without sslmode=verify-full (unless WARDROOM_DB_ALLOW_INSECURE=true),
 * verify-full becomes verified TLS options for node-postgres, and a server
 * whose certificate does not name the host is refused. No real remote
 * database: a fake server answers PostgreSQL's SSLRequest and speaks TLS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/base/config.js';
import { resolveDatabase } from '../../../src/db/connect.js';
import { pgConnection, requireDatabaseTls } from '../../../src/db/tls.js';
import { makeTestCa } from '../../support/tls-certs.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'wardroom-dbtls-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the database TLS rule', () => {
  it('refuses a database off this machine without verify-full, naming the fix', async () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://admin:s3cret@db.internal:5432/wardroom',
      WARDROOM_DATA_DIR: dataDir,
      WARDROOM_APP_DB_PASSWORD: 'a-password-of-16-chars',
    });
    const refused = resolveDatabase(config);
    await expect(refused).rejects.toMatchObject({ code: 'config_invalid' });
    const message = await refused.catch((e: unknown) => (e as Error).message);
    expect(message).toMatch(/DATABASE_URL connects to db\.internal.*without sslmode/);
    expect(message).toMatch(/sslmode=verify-full.*WARDROOM_DB_ALLOW_INSECURE=true/);
    expect(message).not.toContain('s3cret');
  });

  it('refuses the weaker modes and DATABASE_APP_URL too, and allows them when told', () => {
    expect(() =>
      requireDatabaseTls('postgres://u@/db?host=db.internal', 'DATABASE_URL', false),
    ).toThrow('DATABASE_URL connects to db.internal');
    for (const mode of ['disable', 'prefer', 'require', 'verify-ca', 'no-verify']) {
      const url = `postgres://u@10.0.0.5/db?sslmode=${mode}`;
      expect(() => requireDatabaseTls(url, 'DATABASE_APP_URL', false), mode).toThrow(
        `DATABASE_APP_URL connects to 10.0.0.5, which is not this machine, with sslmode=${mode}`,
      );
      expect(() => requireDatabaseTls(url, 'DATABASE_APP_URL', true)).not.toThrow();
    }
  });

  it('allows loopback and Unix sockets without TLS, and verify-full anywhere', () => {
    for (const url of [
      'postgres://u@127.0.0.1:5432/db',
      'postgres://u@localhost/db',
      'postgres://u@[::1]:5432/db',
      'postgres://u@/db?host=/var/run/postgresql',
      'postgres://u@%2Fvar%2Frun%2Fpostgresql/db',
      'postgres://u@db.internal/db?sslmode=verify-full',
    ]) {
      expect(() => requireDatabaseTls(url, 'DATABASE_URL', false), url).not.toThrow();
    }
  });
});

describe('sslmode=verify-full', () => {
  const ca = makeTestCa();
  const wrong = makeTestCa(['DNS:db.elsewhere.test']);
  afterAll(() => {
    ca.remove();
    wrong.remove();
  });

  it('becomes verified TLS options, with sslrootcert as the CA', () => {
    const connection = pgConnection(
      `postgres://u:p@db.internal:5432/db?sslmode=verify-full&sslrootcert=${ca.caFile}&application_name=x`,
    );
    expect(connection.ssl).toEqual({ rejectUnauthorized: true, minVersion: 'TLSv1.2', ca: ca.ca });
    // node-postgres would replace these options with its own reading of the ssl parameters.
    expect(connection.connectionString).toBe(
      'postgres://u:p@db.internal:5432/db?application_name=x',
    );
    expect(pgConnection('postgres://u@db.internal/db?sslmode=verify-full').ssl).toEqual({
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
    expect(() => pgConnection('postgres://u@h/db?sslmode=verify-full&sslrootcert=/nope')).toThrow(
      /sslrootcert, \/nope, cannot be read/,
    );
  });

  it('checks the certificate against the CA and the host name', async () => {
    expect(await handshake(ca, ca.caFile)).toBe('accepted');
    expect(await handshake(ca, 'system')).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|self.signed|issuer/i,
    );
    expect(await handshake(wrong, wrong.caFile)).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });
});

/**
 * Connects with pg through pgConnection to a fake server with this
 * certificate: `accepted` when the TLS handshake completes, else the error.
 */
async function handshake(server: { cert: string; key: string }, rootCert: string): Promise<string> {
  const seen = { accepted: false };
  const fake = net.createServer((socket) => {
    socket.once('data', () => {
      socket.write('S'); // yes to the SSLRequest
      const secure = new tls.TLSSocket(socket, {
        isServer: true,
        cert: server.cert,
        key: server.key,
      });
      secure.on('secure', () => {
        seen.accepted = true;
        secure.destroy();
      });
      secure.on('error', () => undefined);
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const { port } = fake.address() as AddressInfo;
  const client = new pg.Client(
    pgConnection(`postgres://u@127.0.0.1:${port}/db?sslmode=verify-full&sslrootcert=${rootCert}`),
  );
  client.on('error', () => undefined);
  try {
    await client.connect();
    return 'connected';
  } catch (error) {
    const e = error as { code?: string; message: string };
    return seen.accepted ? 'accepted' : `${e.code ?? ''} ${e.message}`;
  } finally {
    fake.close();
  }
}
