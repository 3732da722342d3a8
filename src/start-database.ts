/**
 * Part of the composition root (app.ts): the app role's database, with the
 * audit log's per-person sealing and the log of cross-tenant access.
 */
import type { Logger } from 'pino';
import type { Config } from './base/config.js';
import type { DatabaseTarget } from './db/connect.js';
import { createDatabase, type Database } from './db/database.js';
import type { Running } from './app-running.js';
import { createAuditPersonal, subscribePersonKeyEvents } from './modules/audit/index.js';
import type { KekProvider } from './modules/crypto/index.js';

/**
 * The app role's database (recorded in `running`, so it is closed). A
 * person's name, IP and user agent reach the audit log sealed under their
 * own key; an erasure in any process reaches this one's cache.
 */
export async function openAppDatabase(
  running: Running,
  target: DatabaseTarget,
  config: Config,
  logger: Logger,
  kek: KekProvider,
): Promise<Database> {
  const auditPersonal = createAuditPersonal(kek, { keyTtlMs: config.keyCacheTtlMs });
  const db = (running.db = createDatabase({
    appUrl: target.appUrl,
    poolMax: config.poolMax,
    streamSlots: config.streamSlots,
    onSystemAccess: logSystemAccess(logger),
    auditPersonal,
  }));
  await subscribePersonKeyEvents(db, auditPersonal.keys);
  return db;
}

/**
 * Every kind of cross-tenant access is logged at info the first time in a
 * process, then at debug: the chainer runs every 200 ms and would otherwise
 * drown the log.
 */
function logSystemAccess(logger: Logger): (reason: string) => void {
  const seen = new Set<string>();
  return (reason) => {
    const level = seen.has(reason) ? 'debug' : 'info';
    seen.add(reason);
    logger[level]({ reason }, 'system database access');
  };
}
