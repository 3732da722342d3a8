/**
 * The e2e lane's global setup: builds the console from the sources under
 * test into dist/console once per run, before any browser test starts a
 * server that serves it (test files run in parallel and must not race on
 * the build).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/wardroom-process.js';

export default async function buildConsole(): Promise<void> {
  const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'],
    // Vitest sets NODE_ENV=test, which would bundle React's development build.
    { cwd: repoRoot, env: { ...process.env, NODE_ENV: 'production' } },
  );
}
