/**
 * RFC 8785 (JCS) canonical JSON: the bytes audit events are hashed over and
 * receipts are signed over. The \`canonicalize\` package is the reference;
 * the flat fast path below covers the shapes audit events almost always
 * have and is checked against it by a property test.
 */
import canonicalizeModule from 'canonicalize';
import { AppError } from '../../../base/errors.js';

// The package is CommonJS (`module.exports = serialize`) but its typings
// declare an ES default export; under NodeNext the import is the function.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** RFC 8785 canonical JSON. */
export function canonicalJson(value: unknown): string {
  const flat = flatCanonical(value);
  if (flat !== undefined) return flat;
  const text = canonicalize(value);
  if (text === undefined) throw new AppError('internal', 'value could not be canonicalized');
  return text;
}

type Scalar = string | number | boolean | null;
const isScalar = (v: unknown): v is Scalar =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Fast path for the shapes audit events almost always have: an object of
 * scalars, or an array of scalars or of such objects. Same rules as the
 * library (keys sorted by UTF-16 code units, JSON.stringify for scalars);
 * anything deeper returns undefined and goes to the library.
 */
function flatCanonical(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const item of value as unknown[]) {
      const part = isScalar(item) ? JSON.stringify(item) : flatObject(item);
      if (part === undefined) return undefined;
      parts.push(part);
    }
    return `[${parts.join(',')}]`;
  }
  return flatObject(value);
}

function flatObject(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (!isScalar(v) || (typeof v === 'number' && !Number.isFinite(v))) return undefined;
    parts.push(`${JSON.stringify(key)}:${JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}
