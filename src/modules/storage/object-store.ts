/**
 * The object store port: what Wardroom needs of a place to keep files
 * (exports, attachments), whatever holds them. Bodies are streams both ways
 * (constant memory); keys are ObjectKeys, built only by object-key.ts. The
 * store holds bytes as given: sealing is the layer above (sealed-objects.ts).
 */
import type { Readable } from 'node:stream';
import type { ObjectKey } from './object-key.js';

/** A body to store: a Readable, or any async iterable of bytes. */
export type ObjectBody = AsyncIterable<Uint8Array>;

export interface ObjectInfo {
  readonly size: number;
  readonly lastModified: Date;
}

export interface ObjectStore {
  readonly kind: 'folder' | 's3';
  /** Where objects go, for the log (no credentials). */
  readonly description: string;
  /** Stores `body` under `key`, replacing any object there; visible only once complete. */
  put(key: ObjectKey, body: ObjectBody): Promise<ObjectInfo>;
  /** The object's bytes as a stream; `not_found` when there is none. */
  get(key: ObjectKey): Promise<Readable>;
  /** Size and time of the object, or undefined when there is none. */
  head(key: ObjectKey): Promise<ObjectInfo | undefined>;
  exists(key: ObjectKey): Promise<boolean>;
  /** Deletes the object; deleting one that is not there is not an error. */
  delete(key: ObjectKey): Promise<void>;
  /** Deletes every object of the workspace; returns how many there were. */
  deletePrefix(workspaceId: string): Promise<number>;
  /** Releases connections. */
  close(): void;
}
