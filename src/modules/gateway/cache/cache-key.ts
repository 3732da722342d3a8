/**
 * The cache key of a request in a workspace:
 *
 *   <namespace>v1:<workspace id>:<hex HMAC-SHA-256(salt, JCS({operation, model, body}))>
 *
 * The request is canonicalized as RFC 8785 JSON (the `canonicalize`
 * package, through crypto's `canonicalJson`), so key order and number
 * spelling do not split entries. The HMAC is keyed with the workspace's own
 * salt: the same request in two workspaces gives two unrelated keys, and a
 * key says nothing of the request to anyone without the salt. The workspace
 * id in the key is an id, never content; it scopes the entry (and lets an
 * operator see which workspace owns what) but isolation rests on the salt
 * and on the value's sealing, which binds the workspace and this key.
 */
import { createHmac } from 'node:crypto';
import { canonicalJson } from '../../crypto/index.js';
import type { CacheableRequest } from '../ports.js';

export const DEFAULT_NAMESPACE = 'wardroom:llm-cache:';

export interface CacheKey {
  /** The key in the store. */
  readonly storeKey: string;
  /** The hex HMAC alone, the row id the sealed value is bound to. */
  readonly digest: string;
}

export function canonicalRequest(request: CacheableRequest): string {
  return canonicalJson({ operation: request.operation, model: request.model, body: request.body });
}

/** Synchronous on purpose: the salt is read with no await between (it may be zeroed after). */
export function cacheKey(
  namespace: string,
  workspaceId: string,
  salt: Uint8Array,
  request: CacheableRequest,
): CacheKey {
  const digest = createHmac('sha256', salt).update(canonicalRequest(request), 'utf8').digest('hex');
  return { storeKey: `${namespace}v1:${workspaceId}:${digest}`, digest };
}
