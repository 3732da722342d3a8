/**
 * What the bench parent and its target processes say to each other. Each
 * target (baseline or full stack) runs in a child process of its own, so the
 * load generator never shares an event loop with the server it measures.
 */
/** baseline: bare SQL; sql: the full stack's statements from a bare handler; full: Wardroom. */
export type TargetKind = 'baseline' | 'sql' | 'full';

export interface TargetInit {
  readonly kind: TargetKind;
  /** Superuser URL of the bench database (baseline connects with it). */
  readonly adminUrl: string;
  /** App-role URL of the bench database (the full stack connects with it). */
  readonly appUrl: string;
  readonly workspaces: number;
  readonly seedMessages: number;
  readonly content: string;
  readonly poolMax: number;
  readonly logLevel: string;
}

export interface RequestSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** The scenarios a target serves: one request per workspace each; load is spread across them. */
export interface TargetRequests {
  readonly post: readonly RequestSpec[];
  readonly read: readonly RequestSpec[];
  /** The same two with a signed-in browser session (cookie; CSRF header and Origin on POST). */
  readonly sessionPost: readonly RequestSpec[];
  readonly sessionRead: readonly RequestSpec[];
}

export type Scenario = keyof TargetRequests;

export interface TargetReady extends TargetRequests {
  readonly type: 'ready';
  readonly port: number;
  /** The statement texts one request of each scenario sent, after one warm-up request. */
  readonly statements: Readonly<Record<Scenario, readonly string[]>>;
}

export interface TargetFailed {
  readonly type: 'failed';
  readonly message: string;
}

export type TargetMessage = TargetReady | TargetFailed;

export const INIT_ENV = 'WARDROOM_BENCH_TARGET';

export function isTargetMessage(value: unknown): value is TargetMessage {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  return value.type === 'ready' || value.type === 'failed';
}
