/**
 * `wardroom credentials import`: moves credentials sealed by a legacy system
 * (Fernet tokens or libsodium secretboxes) into a workspace. The old key
 * comes only from WARDROOM_IMPORT_KEY, never an argument (arguments land in
 * shell history and `ps`). Entries are decrypted in memory, re-sealed under
 * the workspace key and stored in one transaction; only ids, fingerprints
 * and last4 are printed.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../base/errors.js';
import {
  importCredentials,
  CREDENTIAL_KINDS,
  PROVIDERS,
  type CredentialKind,
  decryptLegacy,
  LEGACY_FORMATS,
} from '../modules/credentials/index.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { operator } from './operator.js';

const MAX_INPUT_BYTES = 16 * 1024 * 1024;

interface ImportOpts {
  workspace: string;
  format: string;
  kind: string;
  provider: string;
  label?: string;
  file?: string;
  json?: boolean;
}

const options = z.object({
  workspace: z.uuid({ error: '--workspace must be a UUID' }),
  format: z.enum(LEGACY_FORMATS, { error: `--format must be one of ${LEGACY_FORMATS.join(', ')}` }),
  kind: z.enum(CREDENTIAL_KINDS, { error: `--kind must be one of ${CREDENTIAL_KINDS.join(', ')}` }),
  label: z
    .string()
    .trim()
    .min(1)
    .max(190, { error: '--label is at most 190 characters' })
    .optional(),
});

export function registerCredentials(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  const credentials = program.command('credentials').description('Manage integration credentials');
  credentials
    .command('import')
    .description(
      'Import credentials sealed by a legacy system. The old key is read from WARDROOM_IMPORT_KEY ' +
        '(Fernet: url-safe base64 of 32 bytes; secretbox: base64 of 32 bytes). Input, one entry a ' +
        'line: fernet: a token or {"token","label"?}; secretbox: base64(nonce||box) or ' +
        '{"nonce","box","label"?}. All entries are imported, or none.',
    )
    .requiredOption('--workspace <id>', 'workspace id')
    .requiredOption('--format <format>', `legacy format: ${LEGACY_FORMATS.join(' | ')}`)
    .requiredOption('--kind <kind>', `credential kind: ${CREDENTIAL_KINDS.join(' | ')}`)
    .requiredOption('--provider <provider>', 'provider (allowed values depend on the kind)')
    .option('--label <label>', 'label (numbered " #n" when the input has several entries)')
    .option('--file <path>', 'input file; omit or "-" to read standard input')
    .option('--json', 'print [{"id", "fingerprint", "last4"}] as JSON')
    .action(async (opts: ImportOpts) => {
      const parsed = options.safeParse(opts);
      if (!parsed.success) {
        throw new AppError(
          'validation_failed',
          parsed.error.issues.map((i) => i.message).join('; '),
        );
      }
      const { workspace, format, kind, label } = parsed.data;
      const provider = checkProvider(kind, opts.provider);
      const key = env['WARDROOM_IMPORT_KEY']?.trim();
      if (key === undefined || key === '') {
        throw new AppError(
          'validation_failed',
          'Set WARDROOM_IMPORT_KEY to the legacy key (it is never accepted as an argument)',
        );
      }
      const text = await readInput(opts.file);
      const entries = decryptLegacy({ format, key, kind, provider }, text);
      const principal = operator(workspace, 'wardroom credentials import');
      const imported = await withWardroom(configFrom(env), (w) =>
        w.db.withTenant(principal, (tx) =>
          importCredentials(tx, w.keyring, { kind, provider, label, entries }),
        ),
      );
      if (opts.json === true) {
        io.out(JSON.stringify(imported));
        return;
      }
      for (const c of imported)
        io.out(`${c.id}  fingerprint ${c.fingerprint}  last4 ${c.last4 ?? '-'}`);
      io.out(`Imported ${imported.length} credential(s) into workspace ${workspace}.`);
    });
}

function checkProvider(kind: CredentialKind, provider: string): string {
  const allowed: readonly string[] = PROVIDERS[kind];
  if (!allowed.includes(provider)) {
    throw new AppError(
      'validation_failed',
      `--provider must be one of ${allowed.join(', ')} for --kind ${kind}`,
    );
  }
  return provider;
}

async function readInput(file: string | undefined): Promise<string> {
  if (file !== undefined && file !== '-') {
    const bytes = await readFile(file);
    if (bytes.length > MAX_INPUT_BYTES)
      throw new AppError('payload_too_large', 'The input file is too large');
    return bytes.toString('utf8');
  }
  if (process.stdin.isTTY) {
    throw new AppError('validation_failed', 'Give --file, or pipe the input to standard input');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INPUT_BYTES) throw new AppError('payload_too_large', 'The input is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
