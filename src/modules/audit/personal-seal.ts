/**
 * The sealed form of a person's field in the audit log:
 * `pii2:<base64url(nonce | ciphertext | tag)>`, XChaCha20-Poly1305 under the
 * key of the event's actor (`<actor type>:<actor id>`, read from the row, so
 * the string does not repeat it: an llm.call row stays under 500 bytes).
 * The first form, `pii1:<person>:<…>`, named the person in the string; it is
 * still read. The associated data binds the value to its
 * workspace, its person, its field and its request's correlation id, so a
 * value copied to another workspace, person, field or request does not open
 * (it reads as unreadable, never as someone else's data). The nonce is
 * random, so one value sealed for two requests gives two unrelated strings.
 */
import { AppError } from '../../base/errors.js';
import { AEAD_NONCE_BYTES, aeadOpen, aeadSeal, randomNonce } from '../crypto/index.js';

/** The first form, naming its person: `pii1:<person>:<…>`. */
export const SEALED_PREFIX = 'pii1:';
/** The form written now: the person is the event's actor. */
export const ACTOR_SEALED_PREFIX = 'pii2:';

/** Whether a stored value is sealed (either form), rather than a clear (older) value. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(ACTOR_SEALED_PREFIX) || stored.startsWith(SEALED_PREFIX);
}
/** What a reader shows for a field whose person's key was erased. */
export const ERASED = '[erased]';
/** What a reader shows for a sealed field that does not open where it is. */
export const UNREADABLE = '[unreadable]';

export type PersonalField = 'actor_name' | 'ip' | 'user_agent';

/** Where a sealed value belongs; all of it is bound into the seal. */
export interface SealPlace {
  readonly tenantId: string;
  readonly person: string;
  readonly field: PersonalField;
  readonly correlationId: string | null;
}

/** A person as `<actor type>:<id>`, the ids the database accepts (no colon, no space). */
const PERSON = /^[a-z_]+:[^:\s]{1,200}$/;

export function isPerson(person: string): boolean {
  return PERSON.test(person);
}

function associatedData(place: SealPlace): Buffer {
  return Buffer.from(
    `wardroom.audit.pii.v1\0${place.tenantId}\0${place.person}\0${place.field}\0${place.correlationId ?? ''}`,
  );
}

export function sealValue(key: Uint8Array, place: SealPlace, value: string): string {
  const nonce = randomNonce();
  const sealed = aeadSeal(key, nonce, Buffer.from(value, 'utf8'), associatedData(place));
  return `${ACTOR_SEALED_PREFIX}${Buffer.concat([nonce, sealed]).toString('base64url')}`;
}

/**
 * The person a stored value is sealed for (the event's `actor`, as
 * `<actor type>:<actor id>`, for the current form), or undefined for a clear
 * (older) value.
 */
export function sealedPerson(stored: string, actor: string): string | undefined {
  if (stored.startsWith(ACTOR_SEALED_PREFIX)) return isPerson(actor) ? actor : undefined;
  if (!stored.startsWith(SEALED_PREFIX)) return undefined;
  const end = stored.lastIndexOf(':');
  const person = stored.slice(SEALED_PREFIX.length, end);
  return isPerson(person) ? person : undefined;
}

/** Opens a sealed value at its place; `decryption_failed` if it was moved or altered. */
export function openValue(key: Uint8Array, place: SealPlace, stored: string): string {
  const body = Buffer.from(stored.slice(stored.lastIndexOf(':') + 1), 'base64url');
  if (sealedPerson(stored, place.person) !== place.person || body.length <= AEAD_NONCE_BYTES) {
    throw new AppError('decryption_failed', 'sealed audit field does not open here');
  }
  const nonce = body.subarray(0, AEAD_NONCE_BYTES);
  return aeadOpen(key, nonce, body.subarray(AEAD_NONCE_BYTES), associatedData(place)).toString(
    'utf8',
  );
}
