/**
 * A throwaway certificate authority for TLS tests, made with the openssl
 * command in a temporary folder: a CA, and a server certificate it signed for
 * the given names (by default localhost and 127.0.0.1).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCa {
  readonly dir: string;
  /** Paths of the PEM files. */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Their contents. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

export function makeTestCa(names: readonly string[] = ['DNS:localhost', 'IP:127.0.0.1']): TestCa {
  const dir = mkdtempSync(path.join(tmpdir(), 'wardroom-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    dir,
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2'].concat([
      '-subj',
      '/CN=Wardroom test CA',
    ]),
  );
  openssl(dir, [
    'req',
    ...ec,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=server',
  ]);
  writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=${names.join(',')}\n`);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  ]);
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    caFile: file('ca.pem'),
    certFile: file('server.pem'),
    keyFile: file('server.key'),
    ca: readFileSync(file('ca.pem'), 'utf8'),
    cert: readFileSync(file('server.pem'), 'utf8'),
    key: readFileSync(file('server.key'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
