/**
 * The one place object keys are made. Every key is
 *
 *   tenants/<workspace uuid, lowercase>/<segment>/<segment>…
 *
 * and every segment comes from an allow-list: ASCII letters and digits, then
 * letters, digits, `.`, `_` and `-`, at most 128 characters, no `..`. That
 * leaves nothing for a traversal (`.`, `..`, `/`, `\`), percent or other
 * encodings (`%2e%2e`, overlong UTF-8, fullwidth dots that NFKC turns into
 * `.`), NUL or control characters, or names that differ only by Unicode
 * normalization: such a segment is refused, never cleaned up, so one key
 * always names one object. `parseObjectKey` applies the same rules to a key
 * that comes back from outside (a download link).
 */
import { AppError } from '../../base/errors.js';
import { isUuid } from '../../base/uuid.js';

declare const objectKeyBrand: unique symbol;

/** A key built (or parsed) by this file: only these reach a store. */
export type ObjectKey = string & { readonly [objectKeyBrand]: true };

export const MAX_SEGMENT_LENGTH = 128;
export const MAX_SEGMENTS = 8;
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ROOT = 'tenants';

function refuse(message: string): never {
  throw new AppError('object_key_invalid', message);
}

/** Refuses a segment outside the allow-list; says why without echoing it. */
export function checkSegment(segment: string): void {
  if (typeof segment !== 'string' || segment.length === 0) refuse('An object key segment is empty');
  if (segment.length > MAX_SEGMENT_LENGTH) {
    refuse(`An object key segment is longer than ${MAX_SEGMENT_LENGTH} characters`);
  }
  if (!SEGMENT.test(segment)) {
    refuse(
      'An object key segment may hold only ASCII letters, digits, ".", "_" and "-", starting with a letter or digit',
    );
  }
  if (segment.includes('..')) refuse('An object key segment may not contain ".."');
}

function checkWorkspace(workspaceId: string): void {
  if (typeof workspaceId !== 'string' || !isUuid(workspaceId)) {
    refuse('The workspace id of an object key must be a uuid');
  }
}

/** The prefix every object of a workspace starts with (ends in `/`). */
export function workspacePrefix(workspaceId: string): string {
  checkWorkspace(workspaceId);
  return `${ROOT}/${workspaceId.toLowerCase()}/`;
}

/** Builds the key of an object of `workspaceId`: the only way to get an ObjectKey. */
export function objectKey(workspaceId: string, ...segments: readonly string[]): ObjectKey {
  const prefix = workspacePrefix(workspaceId);
  if (segments.length === 0) refuse('An object key needs at least one segment');
  if (segments.length > MAX_SEGMENTS) refuse(`An object key has at most ${MAX_SEGMENTS} segments`);
  for (const segment of segments) checkSegment(segment);
  return `${prefix}${segments.join('/')}` as ObjectKey;
}

export interface ParsedObjectKey {
  readonly workspaceId: string;
  readonly segments: readonly string[];
  readonly key: ObjectKey;
}

/** Checks a key from outside by the same rules; it must be exactly as objectKey builds it. */
export function parseObjectKey(key: string): ParsedObjectKey {
  if (typeof key !== 'string' || key.length > 1024) refuse('Not an object key');
  const [root, workspaceId, ...segments] = key.split('/');
  if (root !== ROOT || workspaceId === undefined) refuse('Not an object key');
  const built = objectKey(workspaceId, ...segments);
  // A workspace id in capitals would name the same workspace by another key.
  if (built !== key) refuse('Not an object key');
  return { workspaceId: workspaceId.toLowerCase(), segments, key: built };
}

/** The key's last segment (a file name). */
export function fileNameOf(key: ObjectKey): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
