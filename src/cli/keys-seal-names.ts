/**
 * `wardroom keys seal-names`: seals the names, titles and display names
 * written before migration 011 (still plaintext) under each workspace's data
 * key and clears the plaintext, one transaction per workspace. Safe to run
 * again: a row already sealed has no plaintext left and is not touched.
 */
import type { Command } from 'commander';
import { sealPlaintext } from '../modules/keys/index.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { targets } from './keys-support.js';
import { operator } from './operator.js';

export function registerSealNames(keys: Command, env: NodeJS.ProcessEnv, io: Output): void {
  keys
    .command('seal-names')
    .description(
      'Seal the workroom names, conversation titles and member display names still stored in ' +
        'plaintext (rows written before migration 011) under the workspace data key, and clear ' +
        'the plaintext. Idempotent; a shredded workspace has none left.',
    )
    .option('--workspace <id>', 'one workspace')
    .option('--all', 'every workspace')
    .action(async (opts: { workspace?: string; all?: boolean }) => {
      await withWardroom(configFrom(env), async (w) => {
        const ids = await targets(w, opts, 'keys: seal plaintext names of every workspace');
        for (const id of ids) {
          const done = await w.db.withTenant(operator(id, 'wardroom keys seal-names'), (tx) =>
            sealPlaintext(tx, w.keyring),
          );
          const counts = Object.entries(done).map(([field, n]) => `${field} ${n}`);
          io.out(`${id}: sealed ${counts.join(', ')}`);
        }
      });
    });
}
