/**
 * Decides which database this process uses: DATABASE_URL when configured,
 * no administrative URL at all when only DATABASE_APP_URL is (migrations run
 * elsewhere), otherwise the embedded PostgreSQL under the data directory.
 * Returns the administrative URL (for migrations and the operator commands
 * only), the app role's URL (for everything the server does) and the jobs
 * role's URL (for the job queue).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../base/config.js';
import { AppError } from '../base/errors.js';
import { ensureEmbeddedPostgres, type EmbeddedHandle } from './embedded.js';
import { roleNames, type RoleNames } from './roles.js';
import { requireDatabaseTls } from './tls.js';

export interface DatabaseTarget {
  /** Undefined when DATABASE_APP_URL is set without DATABASE_URL: see requireAdminUrl(). */
  readonly adminUrl: string | undefined;
  readonly appUrl: string;
  /** The job queue's connection, as the jobs role. */
  readonly jobsUrl: string;
  readonly roles: RoleNames;
  /** Passwords the migration gives the app and jobs roles (undefined: their URL is configured). */
  readonly appPassword: string | undefined;
  readonly jobsPassword: string | undefined;
  readonly embedded: EmbeddedHandle | undefined;
}

/** Whether this configuration runs on the embedded PostgreSQL (no database URL configured). */
export function usesEmbedded(config: Config): boolean {
  return config.databaseUrl === undefined && config.databaseAppUrl === undefined;
}

/** The administrative URL, or a clear error for a process configured without one. */
export function requireAdminUrl(target: DatabaseTarget, what: string): string {
  if (target.adminUrl !== undefined) return target.adminUrl;
  throw new AppError(
    'config_invalid',
    `${what} needs the administrative connection: set DATABASE_URL (only DATABASE_APP_URL is set)`,
  );
}

export async function resolveDatabase(
  config: Config,
  log: (msg: string) => void = () => undefined,
): Promise<DatabaseTarget> {
  const roles = roleNames(config.rolePrefix);
  // Before anything connects: an unverified connection off this machine is refused.
  for (const [url, variable] of [
    [config.databaseUrl, 'DATABASE_URL'],
    [config.databaseAppUrl, 'DATABASE_APP_URL'],
    [config.databaseJobsUrl, 'DATABASE_JOBS_URL'],
  ] as const) {
    if (url !== undefined) requireDatabaseTls(url, variable, config.dbAllowInsecure);
  }
  const embedded = usesEmbedded(config)
    ? await ensureEmbeddedPostgres(config.dataDir, log)
    : undefined;
  const adminUrl = config.databaseUrl ?? embedded?.adminUrl;
  const login = async (
    configured: string | undefined,
    user: string,
    password: string | undefined,
    file: string,
  ): Promise<{ url: string; password: string | undefined }> => {
    if (configured !== undefined) return { url: configured, password: undefined };
    // config.ts refuses DATABASE_APP_URL without DATABASE_URL or DATABASE_JOBS_URL.
    if (adminUrl === undefined) throw new Error('unreachable: no URL to derive from');
    const pw = password ?? (await storedPassword(config.dataDir, file));
    return { url: withCredentials(adminUrl, user, pw), password: pw };
  };
  const app = await login(
    config.databaseAppUrl,
    roles.app,
    config.appDbPassword,
    'app-db-password',
  );
  const jobs = await login(
    config.databaseJobsUrl,
    roles.jobs,
    config.jobsDbPassword,
    'jobs-db-password',
  );
  return {
    adminUrl,
    appUrl: app.url,
    jobsUrl: jobs.url,
    roles,
    appPassword: app.password,
    jobsPassword: jobs.password,
    embedded,
  };
}

/** The admin URL with its user and password replaced. */
export function withCredentials(url: string, user: string, password: string | undefined): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = password === undefined ? '' : encodeURIComponent(password);
  return parsed.toString();
}

/** A generated role password, kept 0600 in the data directory across restarts. */
async function storedPassword(dataDir: string, name: string): Promise<string> {
  const file = path.join(dataDir, name);
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
