/** A running bench target, as each target module hands it to target.ts. */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { TargetReady } from './protocol.js';

export interface Started {
  readonly ready: TargetReady;
  close(): Promise<void>;
}

/** Listens on a free local port; closing stops the server, then `release` frees the rest. */
export async function listening(
  app: FastifyInstance,
  requests: Pick<TargetReady, 'post' | 'read'>,
  release: () => Promise<void>,
): Promise<Started> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    ready: { type: 'ready', port, ...requests },
    async close() {
      await app.close();
      await release();
    },
  };
}
