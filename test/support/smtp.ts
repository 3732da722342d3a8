/**
 * A real SMTP server in the test process (npm smtp-server), keeping every
 * message it accepts, parsed with mailparser; and a server that accepts
 * connections and never says a word (for timeouts).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface Received {
  readonly from: string;
  readonly to: readonly string[];
  /** Whether the session was encrypted when the message came. */
  readonly secure: boolean;
  readonly auth: { readonly user: string; readonly pass: string } | undefined;
  readonly raw: string;
  readonly mail: ParsedMail;
}

export interface TestSmtp {
  readonly port: number;
  readonly received: Received[];
  /** Every command the sessions got to (MAIL FROM addresses and AUTH users). */
  readonly attempts: string[];
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  readonly host?: string;
  /** Recipients answered `550` at RCPT TO. */
  readonly reject?: readonly string[];
  /** PEM key and certificate for STARTTLS; without them STARTTLS is not offered. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Require AUTH with these credentials. */
  readonly auth?: { readonly user: string; readonly pass: string };
}

export async function startSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const received: Received[] = [];
  const attempts: string[] = [];
  const config: SMTPServerOptions = {
    logger: false,
    disabledCommands: [
      ...(options.tls === undefined ? ['STARTTLS'] : []),
      ...(options.auth === undefined ? ['AUTH'] : []),
    ],
    ...(options.tls === undefined ? {} : { key: options.tls.key, cert: options.tls.cert }),
    allowInsecureAuth: true,
    authOptional: options.auth === undefined,
    onAuth(auth, _session, cb) {
      attempts.push(`auth ${auth.username ?? ''}`);
      const ok = auth.username === options.auth?.user && auth.password === options.auth?.pass;
      cb(ok ? null : new Error('bad credentials'), ok ? { user: auth.username } : undefined);
    },
    onMailFrom(address, _session, cb) {
      attempts.push(`mail ${address.address}`);
      cb();
    },
    onRcptTo(address, _session, cb) {
      if (options.reject?.includes(address.address) === true) {
        cb(Object.assign(new Error('No such user here'), { responseCode: 550 }));
        return;
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (mail) => {
            received.push({
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
              secure: session.secure,
              auth: options.auth === undefined ? undefined : options.auth,
              raw,
              mail,
            });
            cb();
          },
          (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
        );
      });
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Accepts TCP connections and never answers (no greeting). */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
