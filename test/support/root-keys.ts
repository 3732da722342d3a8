/**
 * The workspace key store of a test file: a real `file` store in a fresh
 * private temporary directory, shared by every keyring of the file (as
 * every process of one deployment shares its store).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileKeyStore } from '../../src/modules/crypto/index.js';

export const rootKeyDir = mkdtempSync(path.join(os.tmpdir(), 'wardroom-roots-'));
export const testRoots = await fileKeyStore(rootKeyDir);
