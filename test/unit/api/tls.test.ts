/**
 * The HTTP server speaks TLS as configured: HTTPS from
 * WARDROOM_TLS_CERT_FILE/KEY_FILE, TLS 1.3 only by default (1.2 when asked),
 * and plain HTTP only on loopback or behind a declared proxy; anything else
 * is refused before startup does anything. A throwaway CA is made with openssl.
 */
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLSSocket, type SecureVersion } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/server.js';
import { listenTls } from '../../../src/api/tls.js';
import { createWardroom } from '../../../src/app.js';
import { loadConfig } from '../../../src/base/config.js';
import { createLogger } from '../../../src/base/logger.js';
import { localKek } from '../../../src/modules/crypto/index.js';
import { signerFromSeed } from '../../../src/modules/crypto/primitives/ed25519.js';
import { createKeyring } from '../../../src/modules/keys/keyring.js';
import { makeTestCa } from '../../support/tls-certs.js';
import { testRoots } from '../../support/root-keys.js';

const ca = makeTestCa();
afterAll(() => ca.remove());
const tlsEnv = { WARDROOM_TLS_CERT_FILE: ca.certFile, WARDROOM_TLS_KEY_FILE: ca.keyFile };

/** A server with the HTTPS and proxy options of this environment; its /healthz needs no database. */
async function build(env: Record<string, string>): Promise<FastifyInstance> {
  const config = loadConfig(env);
  return buildServer(
    {
      db: {
        ping: () => Promise.resolve(),
        withTenant: () => Promise.reject(new Error('no db')),
        withSystem: () => Promise.reject(new Error('no db')),
      },
      keyring: createKeyring(localKek(randomBytes(32)), { roots: testRoots }),
      auditSigner: signerFromSeed(randomBytes(32)),
    },
    {
      bodyLimit: 1024 * 1024,
      logger: createLogger('silent'),
      https: listenTls(config),
      trustProxy: config.trustProxy,
    },
  );
}

async function serve(env: Record<string, string>): Promise<{ app: FastifyInstance; port: number }> {
  const app = await build(env);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as AddressInfo).port };
}

function get(
  port: number,
  maxVersion: SecureVersion,
): Promise<{ status: number; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: '/healthz', ca: ca.ca, maxVersion, agent: false },
      (res) => {
        res.resume();
        const socket = res.socket;
        const protocol = socket instanceof TLSSocket ? (socket.getProtocol() ?? '') : 'plain';
        res.on('end', () => resolve({ status: res.statusCode ?? 0, protocol }));
      },
    );
    req.on('error', reject);
  });
}

describe('HTTPS', () => {
  it('serves TLS 1.3 with the configured certificate and refuses a TLS 1.2 client', async () => {
    const { app, port } = await serve(tlsEnv);
    try {
      expect(await get(port, 'TLSv1.3')).toEqual({ status: 200, protocol: 'TLSv1.3' });
      await expect(get(port, 'TLSv1.2')).rejects.toMatchObject({
        code: expect.stringMatching(/ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION|EPROTO/) as unknown,
      });
    } finally {
      await app.close();
    }
  });

  it('admits TLS 1.2 when WARDROOM_TLS_MIN_VERSION=TLSv1.2', async () => {
    const { app, port } = await serve({ ...tlsEnv, WARDROOM_TLS_MIN_VERSION: 'TLSv1.2' });
    try {
      expect(await get(port, 'TLSv1.2')).toEqual({ status: 200, protocol: 'TLSv1.2' });
    } finally {
      await app.close();
    }
  });

  it('wants the certificate and the key together, and readable', () => {
    expect(() => loadConfig({ WARDROOM_TLS_CERT_FILE: ca.certFile })).toThrow(
      /WARDROOM_TLS_KEY_FILE are set together/,
    );
    const config = loadConfig({ ...tlsEnv, WARDROOM_TLS_KEY_FILE: `${ca.dir}/missing.key` });
    expect(() => listenTls(config)).toThrow(/WARDROOM_TLS_KEY_FILE .*missing\.key cannot be read/);
  });
});

describe('plain HTTP', () => {
  it('is refused at startup off loopback without a proxy, naming the fixes', async () => {
    const config = loadConfig({ HOST: '0.0.0.0', WARDROOM_DATA_DIR: `${ca.dir}/data` });
    await expect(createWardroom(config)).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(
        /HOST=0\.0\.0\.0 .*plain HTTP.*WARDROOM_TLS_CERT_FILE.*WARDROOM_TRUST_PROXY/,
      ) as unknown,
    });
  });

  it('is served on loopback, or behind a declared proxy', () => {
    expect(listenTls(loadConfig({}))).toBeUndefined();
    expect(listenTls(loadConfig({ HOST: '::1' }))).toBeUndefined();
    const proxied = loadConfig({ HOST: '0.0.0.0', WARDROOM_TRUST_PROXY: '10.0.0.0/8, 10.1.2.3' });
    expect(proxied.trustProxy).toEqual(['10.0.0.0/8', '10.1.2.3']);
    expect(listenTls(proxied)).toBeUndefined();
    expect(() => loadConfig({ WARDROOM_TRUST_PROXY: 'true' })).toThrow(/WARDROOM_TRUST_PROXY/);
  });

  it('behind the proxy takes the client address from X-Forwarded-For, from that proxy only', async () => {
    const app = await build({ HOST: '0.0.0.0', WARDROOM_TRUST_PROXY: '127.0.0.1' });
    app.get('/ip', { config: { access: { kind: 'public' } } }, (req) => ({ ip: req.ip }));
    const ip = async (remoteAddress: string) =>
      (
        await app.inject({
          url: '/ip',
          remoteAddress,
          headers: { 'x-forwarded-for': '203.0.113.9' },
        })
      ).json<{ ip: string }>().ip;
    expect(await ip('127.0.0.1')).toBe('203.0.113.9');
    expect(await ip('10.9.9.9')).toBe('10.9.9.9');
    await app.close();
  });
});
