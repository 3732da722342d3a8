/**
 * The vendored external test vectors (test/vectors/, with their licences and
 * upstream commits). A missing file fails the run: a suite that silently
 * skipped its vectors would prove nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const vectorsDir = fileURLToPath(new URL('../vectors/', import.meta.url));

export function readVectors(relative: string): unknown {
  const file = path.join(vectorsDir, relative);
  if (!existsSync(file)) throw new Error(`required test vectors missing: ${file}`);
  return JSON.parse(readFileSync(file, 'utf8'));
}
