/**
 * LISTEN on a Postgres channel over a dedicated connection (a pooled one
 * would lose its LISTEN when returned). Used for cache invalidation across
 * processes: NOTIFY is sent inside the writing transaction, so listeners
 * hear it only once that transaction commits.
 *
 * The connection is (re-)opened after a failure, with backoff; since
 * notifications sent while it was down are lost, the handler is told
 * (`reconnected`) and must drop whatever those could have invalidated.
 */
import pg from 'pg';
import { pgConnection } from './tls.js';

export interface ChannelHandler {
  /** One NOTIFY on the channel, with its payload. */
  message(payload: string): void;
  /** The connection was re-established: notifications may have been missed meanwhile. */
  reconnected(): void;
}

export interface ChannelListener {
  /**
   * Settles after the first attempt: true once LISTEN is active, false when
   * the database could not be reached (it keeps trying, and calls
   * `reconnected` once it gets through).
   */
  readonly ready: Promise<boolean>;
  stop(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export function listenOn(url: string, channel: string, handler: ChannelHandler): ChannelListener {
  if (!CHANNEL.test(channel)) throw new Error(`invalid channel name ${channel}`);
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;

  async function open(): Promise<void> {
    const c = new pg.Client({
      ...pgConnection(url),
      application_name: `wardroom:${channel}`,
    });
    c.on('error', () => undefined);
    await c.connect();
    c.on('notification', (n) => {
      if (n.channel === channel) handler.message(n.payload ?? '');
    });
    c.on('end', () => {
      if (client === c) client = undefined;
      if (!stopped) schedule(true);
    });
    // The channel name is validated above and quoted here.
    await c.query(`LISTEN "${channel}"`);
    if (stopped) {
      await c.end();
      return;
    }
    client = c;
    attempt = 0;
  }

  function schedule(missed: boolean): void {
    if (stopped || timer !== undefined) return;
    const delay = Math.min(5000, 100 * 2 ** attempt);
    attempt += 1;
    timer = setTimeout(() => {
      timer = undefined;
      open().then(
        () => {
          if (missed && !stopped) handler.reconnected();
        },
        () => schedule(missed),
      );
    }, delay);
    timer.unref();
  }

  const ready = open().then(
    () => true,
    () => {
      schedule(true);
      return false;
    },
  );
  return {
    ready,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}

/**
 * A NOTIFY payload read as JSON of the shape `schema` describes, or
 * undefined: a malformed payload is ignored by the listener, never thrown.
 */
export function parsePayload<T>(
  payload: string,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
): T | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const result = schema.safeParse(parsed);
  return result.success ? result.data : undefined;
}
