/**
 * The bench's other processes: the fake upstream, Portkey's gateway (its
 * own `build/start-server.js`, from npm) and the Wardroom server, each in a
 * process of its own so none shares an event loop with the load generator
 * or with another leg.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  isWardroomMessage,
  WARDROOM_INIT_ENV,
  type WardroomInit,
  type WardroomMessage,
} from './protocol.js';

export interface Child {
  readonly process: ChildProcess;
  readonly port: number;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** The first IPC message of a child, or an error if it exits first. */
async function firstMessage(child: ChildProcess, what: string): Promise<unknown> {
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${what} exited (code ${String(code)}) before it was ready`);
    }),
  ])) as unknown[];
  return message;
}

export async function startUpstream(): Promise<Child> {
  const child = fork(here('./upstream-main.ts'), [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const message = await firstMessage(child, 'fake upstream');
  if (typeof message !== 'object' || message === null || !('port' in message))
    throw new Error('fake upstream sent no port');
  return { process: child, port: Number(message.port) };
}

/** Where npm installed @portkey-ai/gateway, and its version. */
export function portkeyPackage(): { readonly dir: string; readonly version: string } {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@portkey-ai/gateway/package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { dir: path.dirname(manifest), version };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Portkey's gateway as its package's bin starts it (`start-server.js
 * --port=N --headless`), with NODE_ENV=production as a deployment runs it.
 * Ready once `GET /` answers.
 */
export async function startPortkey(): Promise<Child> {
  const { dir } = portkeyPackage();
  const port = await freePort();
  const script = path.join(dir, 'build', 'start-server.js');
  const child = spawn(process.execPath, [script, `--port=${port}`, '--headless'], {
    env: { ...process.env, NODE_ENV: 'production' },
    // Its banner and spinner go nowhere; its errors to ours.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Portkey exited (code ${child.exitCode})`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      await res.text();
      if (res.ok) return { process: child, port };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('Portkey did not answer on its port within 30 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startWardroom(
  init: WardroomInit,
): Promise<{ readonly process: ChildProcess; readonly message: WardroomMessage }> {
  const child = fork(here('./wardroom.ts'), [], {
    execArgv: process.execArgv,
    env: { ...process.env, [WARDROOM_INIT_ENV]: JSON.stringify(init) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const message = await firstMessage(child, 'Wardroom');
  if (!isWardroomMessage(message)) throw new Error('Wardroom sent an unexpected message');
  return { process: child, message };
}

/** Asks a child to stop ('stop' over IPC, else SIGTERM), kills it after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.send('stop');
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
