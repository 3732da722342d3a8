/**
 * Where traffic may go unencrypted: only to this machine. Every endpoint
 * Wardroom talks to or listens on (HTTP, PostgreSQL, Vault, KMS) is checked
 * with the same notion of loopback.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { AppError } from './errors.js';

/**
 * Whether a host name or address is this machine's loopback: `localhost`,
 * 127.0.0.0/8, `::1` (or 127.0.0.0/8 mapped into IPv6). Brackets are allowed.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIPv4(bare)) return bare.startsWith('127.');
  if (!isIPv6(bare)) return false;
  // The URL parser writes every IPv6 address in one canonical form.
  const canonical = new URL(`http://[${bare}]`).hostname.slice(1, -1);
  return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
}

/**
 * Refuses a `http://` URL to a host that is not loopback, and any scheme but
 * http and https: `what` names the setting, `fix` says what to do instead.
 */
export function requireTlsUnlessLoopback(url: string, what: string, fix: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('config_invalid', `${what} is not a URL`);
  }
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return;
  throw new AppError(
    'config_invalid',
    `${what} (${parsed.protocol}//${parsed.host}) is not https:// and not on this machine: ` +
      `its traffic would cross the network unencrypted. ${fix}`,
  );
}
