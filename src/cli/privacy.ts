/**
 * `wardroom privacy run-due`: runs the deletion sweep now, in this process,
 * instead of waiting for the server's hourly one: every scheduled deletion
 * whose cooling-off has passed (by WARDROOM_TEST_CLOCK_FILE's clock when
 * set) is pseudonymised, its request completed and its receipt emailed.
 * Safe beside a running server: the claim runs each deletion once.
 */
import type { Command } from 'commander';
import { runDueDeletions } from '../modules/privacy/index.js';
import { loadSecrets } from '../start-secrets.js';
import { deletionSettings, privacyClock } from '../start-privacy.js';
import { configFrom, withWardroom, type Output } from './context.js';

export function registerPrivacy(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  const privacy = program.command('privacy').description('Privacy: scheduled deletions');
  privacy
    .command('run-due')
    .description(
      'Run the scheduled deletions whose cooling-off period has passed, now (the server also ' +
        'runs them at start and hourly), and print {"claimed", "completed", "receipts"} as JSON',
    )
    .action(async () => {
      const config = configFrom(env);
      const secrets = await loadSecrets(config);
      const result = await withWardroom(config, (w) =>
        runDueDeletions(
          {
            db: w.db,
            keyring: w.keyring,
            clock: privacyClock(config, w.logger),
            ...deletionSettings(config, secrets.authSecret.key, w.mailer),
          },
          (err, id) => w.logger.error({ err, deletion: id }, 'a scheduled deletion failed'),
        ),
      );
      io.out(JSON.stringify(result));
    });
}
