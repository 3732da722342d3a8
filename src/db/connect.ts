/**
 * Decides which database this process uses: DATABASE_URL when configured,
 * otherwise the embedded PostgreSQL under the data directory. Returns the
 * administrative URL (for migrations and `db check`) and the app role's URL
 * (for everything else).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../base/config.js';
import { ensureEmbeddedPostgres, type EmbeddedHandle } from './embedded.js';
import { roleNames, type RoleNames } from './roles.js';
import { requireDatabaseTls } from './tls.js';

export interface DatabaseTarget {
  readonly adminUrl: string;
  readonly appUrl: string;
  readonly roles: RoleNames;
  readonly appPassword: string | undefined;
  readonly embedded: EmbeddedHandle | undefined;
}

export async function resolveDatabase(
  config: Config,
  log: (msg: string) => void = () => undefined,
): Promise<DatabaseTarget> {
  const roles = roleNames(config.rolePrefix);
  // Before anything connects: an unverified connection off this machine is refused.
  if (config.databaseUrl !== undefined) {
    requireDatabaseTls(config.databaseUrl, 'DATABASE_URL', config.dbAllowInsecure);
  }
  if (config.databaseAppUrl !== undefined) {
    requireDatabaseTls(config.databaseAppUrl, 'DATABASE_APP_URL', config.dbAllowInsecure);
  }
  const embedded =
    config.databaseUrl === undefined
      ? await ensureEmbeddedPostgres(config.dataDir, log)
      : undefined;
  const adminUrl = config.databaseUrl ?? embedded?.adminUrl;
  if (adminUrl === undefined) throw new Error('unreachable: no database URL');
  const appPassword =
    config.databaseAppUrl === undefined
      ? (config.appDbPassword ?? (await storedAppPassword(config.dataDir)))
      : undefined;
  const appUrl = config.databaseAppUrl ?? withCredentials(adminUrl, roles.app, appPassword);
  return { adminUrl, appUrl, roles, appPassword, embedded };
}

/** The admin URL with its user and password replaced. */
export function withCredentials(url: string, user: string, password: string | undefined): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = password === undefined ? '' : encodeURIComponent(password);
  return parsed.toString();
}

/** A generated app-role password, kept 0600 in the data directory across restarts. */
async function storedAppPassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'app-db-password');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    await fs.mkdir(dataDir, { recursive: true, mode: 0o711 });
    const password = randomBytes(24).toString('hex');
    try {
      await fs.writeFile(file, password, { mode: 0o600, flag: 'wx' });
      return password;
    } catch {
      return (await fs.readFile(file, 'utf8')).trim(); // another process wrote it first
    }
  }
}
