/**
 * TLS to PostgreSQL. `sslmode=verify-full` in DATABASE_URL or
 * DATABASE_APP_URL means what it means to libpq: encrypted, the server's
 * certificate checked against `sslrootcert` (a PEM file; `system` or unset:
 * Node's bundled CAs) and its host name against the certificate, TLS 1.2 or
 * later. node-postgres reads sslmode itself with looser, changing semantics
 * (its `require` is to stop verifying), so for verify-full the TLS options
 * are built here and the ssl parameters taken out of the URL it sees.
 *
 * A connection to a host that is not this machine must use verify-full,
 * unless WARDROOM_DB_ALLOW_INSECURE=true says otherwise: other modes either
 * do not encrypt or do not check who answers.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { AppError } from '../base/errors.js';
import { isLoopbackHost } from '../base/net.js';

/** What pg.Client and pg.Pool (and pg-boss) are given for one URL. */
export interface PgConnection {
  readonly connectionString: string;
  readonly ssl?: ConnectionOptions;
}

const SSL_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey'] as const;

/** The connection options for a URL, with verify-full's TLS options built here. */
export function pgConnection(url: string): PgConnection {
  const parsed = parse(url);
  if (parsed?.searchParams.get('sslmode') !== 'verify-full') return { connectionString: url };
  const param = (name: string) => parsed.searchParams.get(name) ?? undefined;
  const rootCert = param('sslrootcert');
  const cert = param('sslcert');
  const key = param('sslkey');
  for (const name of SSL_PARAMS) parsed.searchParams.delete(name);
  return {
    connectionString: parsed.toString(),
    ssl: {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(rootCert === undefined || rootCert === 'system'
        ? {}
        : { ca: pemFile(rootCert, 'sslrootcert') }),
      ...(cert === undefined ? {} : { cert: pemFile(cert, 'sslcert') }),
      ...(key === undefined ? {} : { key: pemFile(key, 'sslkey') }),
    },
  };
}

/**
 * Refuses a connection to a host off this machine without
 * `sslmode=verify-full`, unless `allowInsecure`. `variable` names the URL's
 * setting in the error (the URL itself, which may hold a password, is not shown).
 */
export function requireDatabaseTls(url: string, variable: string, allowInsecure: boolean): void {
  // No host in the URL means localhost to node-postgres, unless a host parameter names one.
  const parsed = parse(url) ?? parse(url.replace('@/', '@localhost/'));
  if (parsed === undefined || allowInsecure) return;
  const host = parsed.searchParams.get('host') ?? decodeURIComponent(parsed.hostname);
  // No host: a Unix socket or localhost, as node-postgres defaults.
  if (host === '' || host.startsWith('/') || isLoopbackHost(host)) return;
  const mode = parsed.searchParams.get('sslmode');
  if (mode === 'verify-full') return;
  throw new AppError(
    'config_invalid',
    `${variable} connects to ${host}, which is not this machine, ` +
      `${mode === null ? 'without sslmode' : `with sslmode=${mode}`}, so the connection is not ` +
      'encrypted or its server not verified. Add sslmode=verify-full to the URL (with ' +
      'sslrootcert=<CA file> for a private CA), or set WARDROOM_DB_ALLOW_INSECURE=true to accept it.',
  );
}

/**
 * A URL, or undefined for what only node-postgres parses: the libpq
 * `/socket/dir dbname` form, or no host (`postgres://u@/db`), which means a
 * Unix socket or localhost there.
 */
function parse(url: string): URL | undefined {
  try {
    return url.startsWith('/') ? undefined : new URL(url);
  } catch {
    return undefined;
  }
}

function pemFile(file: string, param: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('config_invalid', `The database URL's ${param}, ${file}, cannot be read`, {
      cause: error,
    });
  }
}
