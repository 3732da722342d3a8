/**
 * The storage service the rest of Wardroom uses: sealed objects in the
 * configured store, signed download links to them, their download (audited)
 * and the deletion of a workspace's objects.
 */
import type { Readable } from 'node:stream';
import type { Database } from '../../db/database.js';
import { systemPrincipal, type Principal, type RequestOrigin } from '../../db/principal.js';
import { AppError, isAppError } from '../../base/errors.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import type { Keyring } from '../keys/index.js';
import { fileNameOf, parseObjectKey, type ObjectKey } from './object-key.js';
import type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.js';
import type { StorageConfig } from '../../base/config.js';
import { createObjectStore } from './registry.js';
import {
  linkSecret,
  signDownloadLink,
  verifyDownloadLink,
  type DownloadLink,
  type LinkQuery,
} from './links.js';
import { readSealed, writeSealed } from './sealed-objects.js';

/** The system principal's reason for a download through a signed link (its audit actor). */
export const DOWNLOAD_ACTOR = 'object-download-link';

export interface StorageDeps {
  readonly store: ObjectStore;
  readonly db: Pick<Database, 'withTenant'>;
  readonly keyring: Pick<Keyring, 'seal' | 'open'>;
  /** The link key (links.ts `linkSecret` of the auth secret). */
  readonly linkSecret: Buffer;
  /** WARDROOM_PUBLIC_URL (or http://HOST:PORT): the base of download links. */
  readonly publicUrl: string;
  /** The clock links are signed and checked by (tests move it). */
  readonly now?: () => Date;
}

export interface Download {
  readonly fileName: string;
  readonly body: Readable;
}

export interface Storage {
  readonly store: ObjectStore;
  /**
   * Seals and stores `body` as `key`, for the principal's workspace (which
   * must own the key); records `object.stored` (key, stored size) once the
   * object is complete.
   */
  write(principal: Principal, key: ObjectKey, body: ObjectBody): Promise<ObjectInfo>;
  /** Deletes an object of the principal's workspace; records `object.deleted`. */
  remove(principal: Principal, key: ObjectKey): Promise<void>;
  /** The opened (plaintext) body of an object of the principal's workspace. */
  read(principal: Principal, key: ObjectKey): Promise<Readable>;
  /** A signed link to download `key` through Wardroom, for `ttlSeconds` (at most 7 days). */
  downloadLink(key: ObjectKey, ttlSeconds: number): DownloadLink;
  /**
   * Serves a signed link: checks it, records `object.downloaded` in the
   * object's workspace (committed before any byte is sent), opens the object.
   */
  download(query: LinkQuery, origin: RequestOrigin): Promise<Download>;
  /**
   * Deletes every object of a workspace (its deletion, the purge); returns
   * how many, and their content keys on record (the table's trigger records that
   * statement); the caller records the deletion it is part of.
   */
  deleteWorkspaceObjects(workspaceId: string): Promise<number>;
  /**
   * After a shred: deletes every object of the principal's workspace and
   * records `workspace.objects_deleted` ({status, count, via}) there; a store
   * failure is recorded (`status: error`) and rethrown. Idempotent: a second
   * run counts 0.
   */
  deleteShreddedObjects(principal: Principal, via: ShredPath): Promise<number>;
  /** Releases the store's connections. */
  close(): void;
}

export function createStorage(deps: StorageDeps): Storage {
  const now = deps.now ?? (() => new Date());
  const sealed = { store: deps.store, db: deps.db, keyring: deps.keyring };
  return {
    store: deps.store,
    write: (principal, key, body) =>
      writeSealed(sealed, principal, key, body, async (tx, info) => {
        await recordEvent(tx, {
          action: 'object.stored',
          targets: [{ type: 'object', id: key }],
          metadata: { size: info.size },
        });
      }),
    async remove(principal, key) {
      if (parseObjectKey(key).workspaceId !== principal.tenantId.toLowerCase()) {
        throw new AppError('forbidden', "The object key names another workspace than the caller's");
      }
      await deps.store.delete(key);
      await deps.db.withTenant(principal, async (tx) => {
        await tx.deleteFrom('storage_objects').where('object_key', '=', key).execute();
        await recordEvent(tx, { action: 'object.deleted', targets: [{ type: 'object', id: key }] });
      });
    },
    read: (principal, key) => readSealed(sealed, principal, key),
    downloadLink: (key, ttlSeconds) =>
      signDownloadLink(deps.linkSecret, deps.publicUrl, key, ttlSeconds, now()),
    async download(query, origin) {
      const link = verifyDownloadLink(deps.linkSecret, query, now());
      // A link holder is not an identified person: the event names the link, not the client.
      // Its address and agent are not recorded.
      const principal = systemPrincipal(link.workspaceId, DOWNLOAD_ACTOR, origin.correlationId);
      const body = await readSealed(sealed, principal, link.key, async (tx) => {
        await assertLive(tx);
        await recordEvent(tx, {
          action: 'object.downloaded',
          targets: [{ type: 'object', id: link.key }],
          metadata: { via: 'signed_link', link_expires_at: link.expiresAt.toISOString() },
        });
      }).catch(async (error: unknown) => {
        // A shred deletes the objects: a link to one of them says the workspace is gone.
        if (isAppError(error) && error.code === 'not_found') {
          await deps.db.withTenant(principal, assertLive);
        }
        throw error;
      });
      return { fileName: fileNameOf(link.key), body };
    },
    async deleteWorkspaceObjects(workspaceId) {
      const deleted = await deps.store.deletePrefix(workspaceId);
      // Their sealed content keys go too (they would open nothing once the
      // workspace is shredded, but a deleted object keeps no record).
      const principal = systemPrincipal(workspaceId, 'storage: delete workspace objects');
      await deps.db.withTenant(principal, (tx) => tx.deleteFrom('storage_objects').execute());
      return deleted;
    },
    deleteShreddedObjects: (principal, via) => deleteShredded(deps, principal, via),
    close: () => deps.store.close(),
  };
}

/** The workspace exists and was not shredded (`not_found`, `workspace_shredded`). */
async function assertLive(tx: TenantTx): Promise<void> {
  const ws = await tx.selectFrom('workspaces').select('shredded_at').executeTakeFirst();
  if (ws === undefined) throw new AppError('not_found', 'No such object');
  if (ws.shredded_at !== null) {
    throw new AppError('workspace_shredded', 'This workspace has been shredded');
  }
}

/** Which shred deleted a workspace's objects: the owner's route, the operator's CLI, the purge. */
export type ShredPath = 'route' | 'cli' | 'purge';

export const OBJECTS_DELETED_ACTION = 'workspace.objects_deleted';

async function deleteShredded(
  deps: Pick<StorageDeps, 'db' | 'store'>,
  principal: Principal,
  via: ShredPath,
): Promise<number> {
  let count: number;
  try {
    count = await deps.store.deletePrefix(principal.tenantId);
  } catch (error) {
    await deps.db.withTenant(principal, (tx) =>
      recordEvent(tx, { action: OBJECTS_DELETED_ACTION, metadata: { status: 'error', via } }),
    );
    throw error;
  }
  await deps.db.withTenant(principal, async (tx) => {
    // Their sealed content keys go too: a deleted object keeps no record.
    await tx.deleteFrom('storage_objects').execute();
    await recordEvent(tx, {
      action: OBJECTS_DELETED_ACTION,
      metadata: { status: 'ok', count, via },
    });
  });
  return count;
}

/**
 * The storage service for the configured store (WARDROOM_STORAGE), its links
 * keyed from the auth secret and based on the public URL.
 */
export function storageFromConfig(
  config: { readonly storage: StorageConfig; readonly mail: { readonly publicUrl: string } },
  deps: Pick<StorageDeps, 'db' | 'keyring'> & {
    /** The server's secrets; links are keyed from the auth secret. */
    readonly secrets: { readonly authSecret: { readonly key: Buffer } };
  },
): Storage {
  return createStorage({
    db: deps.db,
    keyring: deps.keyring,
    store: createObjectStore(config.storage),
    linkSecret: linkSecret(deps.secrets.authSecret.key),
    publicUrl: config.mail.publicUrl,
  });
}
