/** The Activity log: audit events, newest first, with filters and a cursor; export links. */
import { api, query, seg } from './client';

export const ACTOR_TYPES = ['user', 'api_token', 'agent', 'system', 'ops'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export interface AuditEvent {
  readonly seq: number;
  readonly occurred_at: string;
  readonly actor_type: string;
  readonly actor_id: string | null;
  readonly actor_name: string | null;
  readonly action: string;
  readonly targets: readonly unknown[];
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly hash: string;
  /**
   * The actor's name, IP and user agent as the server opened them from their
   * per-person seal: `[erased]` once the person was erased.
   */
  readonly personal: {
    readonly actor_name?: string;
    readonly ip?: string;
    readonly user_agent?: string;
  };
}

export interface ActivityFilters {
  /** An action (`workroom.created`) or a prefix ending in `.*` (`workroom.*`). */
  readonly action?: string | undefined;
  readonly actor_type?: ActorType | undefined;
  readonly actor_id?: string | undefined;
  readonly target_type?: string | undefined;
  /** ISO 8601 instants with an offset: from inclusive, to exclusive. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

export interface ActivityPage {
  readonly items: readonly AuditEvent[];
  readonly next_cursor: string | null;
}

export function listActivity(
  workspaceId: string,
  filters: ActivityFilters,
  cursor?: string,
): Promise<ActivityPage> {
  return api.get<ActivityPage>(
    `/workspaces/${seg(workspaceId)}/activity${query({ ...filters, limit: 50, cursor })}`,
  );
}

export type ExportFormat = 'csv' | 'jsonl';

/** A same-origin link to the streamed export (the session cookie goes with it). */
export function exportUrl(workspaceId: string, format: ExportFormat): string {
  return `/api/v1/workspaces/${seg(workspaceId)}/activity/export${query({ format })}`;
}
