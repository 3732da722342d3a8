/**
 * How the server may listen: HTTPS from WARDROOM_TLS_CERT_FILE and
 * WARDROOM_TLS_KEY_FILE (TLS 1.3 by default), or plain HTTP only on a
 * loopback address or behind a declared TLS-terminating proxy. Checked
 * before startup does anything else, so a server that would expose tokens
 * in clear text never starts.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../base/config.js';
import { AppError } from '../base/errors.js';
import { isLoopbackHost } from '../base/net.js';

/** What Fastify's `https` option is given. */
export interface HttpsOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
}

/**
 * The HTTPS options when a certificate is configured; undefined for plain
 * HTTP, which is refused (`config_invalid`) on a non-loopback HOST without
 * WARDROOM_TRUST_PROXY.
 */
export function listenTls(
  config: Pick<Config, 'host' | 'tls' | 'trustProxy'>,
): HttpsOptions | undefined {
  const tls = config.tls;
  if (tls !== undefined) {
    return {
      cert: pemFile(tls.certFile, 'WARDROOM_TLS_CERT_FILE'),
      key: pemFile(tls.keyFile, 'WARDROOM_TLS_KEY_FILE'),
      minVersion: tls.minVersion,
    };
  }
  if (isLoopbackHost(config.host) || config.trustProxy !== undefined) return undefined;
  throw new AppError(
    'config_invalid',
    `HOST=${config.host} would serve plain HTTP off this machine, so API tokens would cross the ` +
      'network unencrypted. Set WARDROOM_TLS_CERT_FILE and WARDROOM_TLS_KEY_FILE to serve HTTPS, ' +
      'or WARDROOM_TRUST_PROXY to the TLS-terminating proxy in front of Wardroom, or listen on ' +
      'a loopback HOST such as 127.0.0.1.',
  );
}

function pemFile(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new AppError('config_invalid', `${variable} ${file} cannot be read`, { cause: error });
  }
}
