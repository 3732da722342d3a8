/**
 * A workspace's cache settings (migration 017): on or off (off when the
 * workspace has no row), the entries' time to live, and the cache salt,
 * sealed under the workspace's data key and bound to its version.
 *
 * A salt is sealed the first time the settings are written. A flush, and
 * turning the cache off, seal a new random salt at the next version: every
 * cache key derived from the old salt is never computed again, so those
 * entries are unreachable (they expire by their TTL where they are stored).
 * Every change sends a NOTIFY (settings-cache.ts) so every process drops
 * the settings it cached; the table's triggers audit each change (column
 * names only), and a flush also writes `llm_cache.flushed`.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../base/errors.js';
import { principalOf, type TenantTx } from '../../../db/tenant-tx.js';
import { recordEvent } from '../../audit/index.js';
import type { Keyring } from '../../keys/index.js';
import { notifySettingsChanged } from './settings-cache.js';

export const SALT_BYTES = 32;
export const DEFAULT_TTL_SECONDS = 3600;
export const MIN_TTL_SECONDS = 1;
export const MAX_TTL_SECONDS = 604_800;

/** What the pipeline needs per call: the salt only when the cache is on. */
export interface CacheSettings {
  readonly enabled: boolean;
  readonly ttlSeconds: number;
  /** The opened salt when enabled (the caller zeroes it when dropping it), else null. */
  readonly salt: Buffer | null;
}

/** What an admin sees: never the salt. */
export interface CacheSettingsView {
  readonly enabled: boolean;
  readonly ttl_seconds: number;
  readonly salt_version: number;
  readonly updated_at: string | null;
}

type Sealer = Pick<Keyring, 'seal' | 'open'>;

function saltRef(tx: TenantTx, saltVersion: number) {
  return {
    table: 'llm_cache_settings',
    column: 'salt',
    rowId: principalOf(tx).tenantId,
    bound: [String(saltVersion)],
  };
}

/** The settings, with the salt opened when the cache is on. */
export async function readCacheSettings(tx: TenantTx, keyring: Sealer): Promise<CacheSettings> {
  const row = await tx
    .selectFrom('llm_cache_settings')
    .select(['enabled', 'ttl_seconds', 'salt', 'salt_version'])
    .executeTakeFirst();
  if (row === undefined || !row.enabled) {
    return { enabled: false, ttlSeconds: row?.ttl_seconds ?? DEFAULT_TTL_SECONDS, salt: null };
  }
  const salt = await keyring.open(tx, saltRef(tx, row.salt_version), row.salt);
  return { enabled: true, ttlSeconds: row.ttl_seconds, salt };
}

export async function cacheSettingsView(tx: TenantTx): Promise<CacheSettingsView> {
  const row = await tx
    .selectFrom('llm_cache_settings')
    .select(['enabled', 'ttl_seconds', 'salt_version', 'updated_at'])
    .executeTakeFirst();
  if (row === undefined) {
    return { enabled: false, ttl_seconds: DEFAULT_TTL_SECONDS, salt_version: 0, updated_at: null };
  }
  return {
    enabled: row.enabled,
    ttl_seconds: row.ttl_seconds,
    salt_version: row.salt_version,
    updated_at: row.updated_at.toISOString(),
  };
}

async function sealNewSalt(tx: TenantTx, keyring: Sealer, version: number): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES);
  try {
    return await keyring.seal(tx, saltRef(tx, version), salt);
  } finally {
    salt.fill(0);
  }
}

export interface CacheSettingsChange {
  readonly enabled?: boolean | undefined;
  readonly ttl_seconds?: number | undefined;
}

/** Changes the settings; turning the cache off also rotates the salt. */
export async function updateCacheSettings(
  tx: TenantTx,
  keyring: Sealer,
  change: CacheSettingsChange,
): Promise<CacheSettingsView> {
  const ttl = change.ttl_seconds;
  if (
    ttl !== undefined &&
    (!Number.isInteger(ttl) || ttl < MIN_TTL_SECONDS || ttl > MAX_TTL_SECONDS)
  ) {
    throw new AppError(
      'validation_failed',
      `ttl_seconds must be a whole number from ${String(MIN_TTL_SECONDS)} to ${String(MAX_TTL_SECONDS)}`,
    );
  }
  const current = await tx
    .selectFrom('llm_cache_settings')
    .select(['enabled', 'salt_version'])
    .forUpdate()
    .executeTakeFirst();
  if (current === undefined) {
    await tx
      .insertInto('llm_cache_settings')
      .values({
        tenant_id: principalOf(tx).tenantId,
        enabled: change.enabled ?? false,
        ttl_seconds: ttl ?? DEFAULT_TTL_SECONDS,
        salt: await sealNewSalt(tx, keyring, 1),
        salt_version: 1,
      })
      .execute();
  } else {
    const turningOff = current.enabled && change.enabled === false;
    const version = current.salt_version + 1;
    await tx
      .updateTable('llm_cache_settings')
      .set({
        ...(change.enabled === undefined ? {} : { enabled: change.enabled }),
        ...(ttl === undefined ? {} : { ttl_seconds: ttl }),
        ...(turningOff
          ? { salt: await sealNewSalt(tx, keyring, version), salt_version: version }
          : {}),
        updated_at: new Date(),
      })
      .execute();
  }
  await notifySettingsChanged(tx);
  return cacheSettingsView(tx);
}

/** Rotates the salt: every entry cached so far becomes unreachable. */
export async function flushCache(tx: TenantTx, keyring: Sealer): Promise<CacheSettingsView> {
  const current = await tx
    .selectFrom('llm_cache_settings')
    .select(['salt_version'])
    .forUpdate()
    .executeTakeFirst();
  if (current === undefined) {
    // Nothing was ever cached; write the defaults with a first salt.
    await updateCacheSettings(tx, keyring, {});
  } else {
    const version = current.salt_version + 1;
    await tx
      .updateTable('llm_cache_settings')
      .set({
        salt: await sealNewSalt(tx, keyring, version),
        salt_version: version,
        updated_at: new Date(),
      })
      .execute();
    await notifySettingsChanged(tx);
  }
  const view = await cacheSettingsView(tx);
  await recordEvent(tx, {
    action: 'llm_cache.flushed',
    targets: [{ type: 'workspace', id: principalOf(tx).tenantId }],
    metadata: { salt_version: view.salt_version },
  });
  return view;
}
