/**
 * Copies a few bytes. For the 16 to 46 bytes the envelope moves per seal or
 * open (key id, nonce, header), a plain loop is several times cheaper than
 * Buffer#copy's general path.
 */
export function copyBytes(
  from: Uint8Array,
  fromStart: number,
  to: Uint8Array,
  toStart: number,
  count: number,
): void {
  for (let i = 0; i < count; i++) to[toStart + i] = from[fromStart + i] ?? 0;
}
