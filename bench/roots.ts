/** A workspace key store for a benchmark run: key files in a fresh private temporary directory. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileKeyStore, type WorkspaceKeyStore } from '../src/modules/crypto/index.js';

export function benchRoots(): Promise<WorkspaceKeyStore> {
  return fileKeyStore(mkdtempSync(path.join(os.tmpdir(), 'wardroom-bench-roots-')));
}
