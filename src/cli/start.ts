/**
 * `wardroom start`: migrate, then serve HTTP until SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import { createWardroom } from '../app.js';
import { configFrom, type Output } from './context.js';

export function registerStart(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  program
    .command('start')
    .description(
      'Start the API server. Without DATABASE_URL it starts an embedded PostgreSQL under ./.wardroom/ ' +
        '(data survives restarts) and migrates it. Listens on HOST:PORT (default 127.0.0.1:8080).',
    )
    .action(async () => {
      const config = configFrom(env);
      const wardroom = await createWardroom(config);
      let address: string;
      try {
        address = await wardroom.server.listen({ host: config.host, port: config.port });
      } catch (error) {
        // A port in use: stop what startup started; main.ts names the cause.
        await wardroom.close();
        throw error;
      }
      const where =
        wardroom.target.embedded !== undefined
          ? `embedded PostgreSQL in ${config.dataDir}`
          : wardroom.target.adminUrl === undefined
            ? 'DATABASE_APP_URL, no administrative URL'
            : 'DATABASE_URL';
      io.out(`Wardroom listening on ${address} (database: ${where})`);
      io.out(
        `Create a workspace: npx wardroom workspace create --name Acme --region eu --owner-email you@example.com`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      io.out('Shutting down');
      try {
        await wardroom.close();
      } catch (error) {
        // With the embedded PostgreSQL, its own signal hook stops the cluster at
        // the same moment, so closing connections can fail: the stop that was
        // asked for still happened; say what failed instead of exiting 1.
        io.err(
          `warning: during shutdown: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
}
