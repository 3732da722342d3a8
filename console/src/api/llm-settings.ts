/** LLM settings (admins): the workspace's response cache, on or off, its TTL, and the flush. */
import { api, seg } from './client';

export interface CacheSettings {
  readonly enabled: boolean;
  readonly ttl_seconds: number;
  /** 0 before the settings were first saved; each flush adds one. */
  readonly salt_version: number;
  readonly updated_at: string | null;
}

/** The TTL bounds the server enforces, in seconds (one second to seven days). */
export const MIN_TTL_SECONDS = 1;
export const MAX_TTL_SECONDS = 604_800;

const base = (ws: string) => `/workspaces/${seg(ws)}/llm/cache`;

export const getCacheSettings = (ws: string): Promise<CacheSettings> =>
  api.get<CacheSettings>(base(ws));

export const setCacheSettings = (
  ws: string,
  change: { readonly enabled?: boolean; readonly ttl_seconds?: number },
): Promise<CacheSettings> => api.put<CacheSettings>(base(ws), change);

export const flushCache = (ws: string): Promise<CacheSettings> =>
  api.post<CacheSettings>(`${base(ws)}/flush`);
