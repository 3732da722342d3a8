/** Entry point of the fake upstream's process (forked by processes.ts): reports its port, serves until told to stop. */
import type { AddressInfo } from 'node:net';
import { listenUpstream } from './upstream.js';

const server = await listenUpstream();
process.send?.({ port: (server.address() as AddressInfo).port });
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('message', (message) => {
  if (message === 'stop') stop();
});
process.once('disconnect', stop);
