/**
 * Runs the `wardroom` CLI in process against the run's test database, with
 * captured output: the same command tree as the executable, its own
 * environment, no child process.
 */
import { inject } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

export interface CliRun {
  readonly out: string[];
  readonly err: string[];
}

export function cliRunner(options: { masterKey: string; dataDir: string }) {
  return async (
    args: readonly string[],
    extraEnv: Record<string, string> = {},
  ): Promise<CliRun> => {
    const out: string[] = [];
    const err: string[] = [];
    const env = {
      DATABASE_URL: inject('adminUrl'),
      WARDROOM_DB_ROLE_PREFIX: inject('rolePrefix'),
      WARDROOM_MASTER_KEY: options.masterKey,
      WARDROOM_DATA_DIR: options.dataDir,
      DATABASE_APP_URL: inject('appUrl'),
      LOG_LEVEL: 'silent',
      ...extraEnv,
    };
    await buildProgram(env, { out: (l) => out.push(l), err: (l) => err.push(l) }).parseAsync([
      'node',
      'wardroom',
      ...args,
    ]);
    return { out, err };
  };
}
