/** A running bench target, as each target module hands it to target.ts. */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { RequestSpec, Scenario, TargetReady, TargetRequests } from './protocol.js';
import { recordStatements } from './statements.js';

export interface Started {
  readonly ready: TargetReady;
  close(): Promise<void>;
}

/** Listens on a free local port; closing stops the server, then `release` frees the rest. */
export async function listening(
  app: FastifyInstance,
  requests: TargetRequests,
  release: () => Promise<void>,
): Promise<Started> {
  const statements = {} as Record<Scenario, readonly string[]>;
  for (const scenario of Object.keys(requests) as Scenario[]) {
    statements[scenario] = await statementsOf(app, requests[scenario][0]);
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    ready: { type: 'ready', port, ...requests, statements },
    async close() {
      await app.close();
      await release();
    },
  };
}

/** The statements of one request (the second: the first may fill caches). */
async function statementsOf(
  app: FastifyInstance,
  spec: RequestSpec | undefined,
): Promise<string[]> {
  if (spec === undefined) return [];
  const send = async () => {
    const res = await app.inject({
      method: spec.method,
      url: spec.path,
      headers: spec.headers,
      ...(spec.body === undefined ? {} : { payload: spec.body }),
    });
    if (res.statusCode < 200 || res.statusCode > 299)
      throw new Error(`${spec.method} ${spec.path}: ${res.statusCode} ${res.body}`);
  };
  await send();
  return recordStatements(send);
}
