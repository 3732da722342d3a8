/** What the gateway bench parent and its Wardroom target process say to each other. */

/** One request shape a leg serves; the bench adds a distinct body to every request. */
export interface LegRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WardroomInit {
  /** The bench database: superuser, app role and jobs role URLs. */
  readonly adminUrl: string;
  readonly appUrl: string;
  readonly jobsUrl: string;
  readonly rolePrefix: string;
  /** The fake upstream's OpenAI base URL (with /v1). */
  readonly openaiBaseUrl: string;
  readonly workspaces: number;
  readonly model: string;
  readonly logLevel: string;
  /** Redis for the rate limiter and the response cache; unset: in-process. */
  readonly redisUrl: string | undefined;
}

export type WardroomMessage =
  | {
      readonly type: 'ready';
      readonly port: number;
      readonly requests: readonly LegRequest[];
      /** What is on and what is not (budgets, cache), said in the results. */
      readonly notes: readonly string[];
      /** The same-SQL reference (same-sql.ts), serving the same requests. */
      readonly sameSqlPort: number;
    }
  /** The route or a part the leg needs is not there yet: the leg is skipped, with why. */
  | { readonly type: 'skip'; readonly reason: string }
  | { readonly type: 'failed'; readonly message: string };

export const WARDROOM_INIT_ENV = 'WARDROOM_BENCH_GATEWAY_TARGET';

export function isWardroomMessage(value: unknown): value is WardroomMessage {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  return value.type === 'ready' || value.type === 'skip' || value.type === 'failed';
}

/** The body every leg sends: small, priced model, distinct per request (a cache miss). */
export function chatBody(model: string, stream: boolean, nonce: string): string {
  return JSON.stringify({
    model,
    max_tokens: 32,
    stream,
    messages: [{ role: 'user', content: `Bench request ${nonce}: say hello in five words.` }],
  });
}
