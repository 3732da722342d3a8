/**
 * Capturing everything a run says (log lines, CLI output, error responses,
 * audit rows) and searching it for secrets in the encodings they could take.
 */
import { vi } from 'vitest';

export interface Corpus {
  /** Where each text came from, for the failure message. */
  readonly texts: { readonly source: string; readonly text: string }[];
  add(source: string, text: string): void;
}

export function corpus(): Corpus {
  const texts: { source: string; text: string }[] = [];
  return { texts, add: (source, text) => texts.push({ source, text }) };
}

/** A pino destination that keeps every line in memory. */
export function memoryStream(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line) => lines.push(line) };
}

/** Runs fn with process.stderr captured (the CLI's logger writes there). */
export async function captureStderr<T>(sink: string[], fn: () => Promise<T>): Promise<T> {
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

/**
 * The forms a secret could leak in: itself, and for bytes (or a string's
 * UTF-8) base64, base64url and hex (PostgreSQL's bytea text form). Text
 * secrets are also searched by their longest distinctive part, so a
 * truncated echo (a parser quoting 20 characters of its input) is caught.
 */
export function leakForms(secret: string | Buffer): string[] {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  const forms = [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
  if (typeof secret === 'string') {
    forms.push(secret);
    if (secret.length > 24) forms.push(secret.slice(-16), secret.slice(0, 16));
  }
  return [...new Set(forms.filter((f) => f.length >= 12))];
}

export interface Leak {
  readonly secret: string;
  readonly form: string;
  readonly source: string;
  readonly around: string;
}

export function findLeaks(
  c: Corpus,
  secrets: Record<string, string | Buffer>,
  exempt: (source: string, text: string, name: string) => boolean = () => false,
): Leak[] {
  const leaks: Leak[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    for (const form of leakForms(secret)) {
      for (const { source, text } of c.texts) {
        const at = text.indexOf(form);
        if (at >= 0 && !exempt(source, text, name)) {
          leaks.push({
            secret: name,
            form,
            source,
            around: text.slice(Math.max(0, at - 80), at + 80),
          });
        }
      }
    }
  }
  return leaks;
}
