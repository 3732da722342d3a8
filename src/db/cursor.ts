/**
 * Opaque pagination cursors. A cursor is the last row id of the previous page
 * (UUIDv7, so id order is creation order), base64url-encoded so clients do
 * not build them by hand.
 */
import { AppError } from '../base/errors.js';
import { isUuid } from '../base/uuid.js';

export function encodeCursor(lastId: string): string {
  return Buffer.from(`v1:${lastId}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith('v1:') ? decoded.slice(3) : '';
  // Cursors this API issues carry lowercase ids.
  if (!isUuid(id) || id !== id.toLowerCase())
    throw new AppError('invalid_cursor', 'The cursor is not one this API issued');
  return id;
}

/** Splits a page fetched with limit + 1 rows into items and the next cursor. */
export function toPage<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : null,
  };
}

const SEQ = /^[1-9][0-9]{0,18}$/;
const MAX_BIGINT = 9223372036854775807n;

/**
 * Cursors over a per-tenant sequence number (a bigint, e.g. the audit log's
 * `seq`): the last seq of the previous page. A different prefix from id
 * cursors, so neither kind is accepted where the other is expected.
 */
export function encodeSeqCursor(lastSeq: number | string): string {
  return Buffer.from(`v1s:${String(lastSeq)}`, 'utf8').toString('base64url');
}

/** The seq a cursor names, as decimal text (bigint-safe), or undefined for no cursor. */
export function decodeSeqCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = decoded.startsWith('v1s:') ? decoded.slice(4) : '';
  if (!SEQ.test(seq) || BigInt(seq) > MAX_BIGINT) {
    throw new AppError('invalid_cursor', 'The cursor is not one this API issued');
  }
  return seq;
}
