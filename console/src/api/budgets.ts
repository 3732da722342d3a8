/**
 * LLM budgets (admins): budgets per workspace, member or API token, the
 * per-minute rate limits, this month's usage by key, and the keys the
 * velocity tripwire suspended (owners resume). Money is integer
 * micro-dollars (1 USD = 1,000,000); see ../usd.ts for the conversion.
 */
import { api, query, seg } from './client';

export type BudgetScope = 'workspace' | 'member' | 'token';
export type BudgetPeriod = 'day' | 'month';
export type KeySource = 'byok' | 'platform' | 'offline';

export interface Budget {
  readonly id: string;
  readonly scope: BudgetScope;
  readonly user_id: string | null;
  readonly token_id: string | null;
  readonly period: BudgetPeriod;
  readonly hard_limit_micros: number;
  readonly soft_limit_micros: number | null;
  readonly window_start: string;
  /** Settled cost of the calls in this window. */
  readonly settled_micros: number;
  /** Settled plus live reservations: what the next call is checked against. */
  readonly spent_micros: number;
}

export interface NewBudget {
  readonly scope: BudgetScope;
  readonly user_id?: string;
  readonly token_id?: string;
  readonly period: BudgetPeriod;
  readonly hard_limit_micros: number;
  readonly soft_limit_micros: number | null;
}

export interface RateLimits {
  readonly requests_per_minute: number | null;
  readonly tokens_per_minute: number | null;
}

export interface KeyUsage {
  /** `byok:<credential id>`, `platform:<provider>` or `offline`. */
  readonly key: string;
  readonly key_source: KeySource;
  readonly credential_id: string | null;
  readonly provider: string;
  readonly calls: number;
  readonly cost_micros: number;
  readonly reserved_micros: number;
  readonly tokens_in: number;
  readonly tokens_out: number;
  readonly cache_hits: number;
}

export interface UsageSummary {
  readonly month_start: string;
  readonly byok_cost_micros: number;
  readonly platform_cost_micros: number;
  readonly keys: readonly KeyUsage[];
}

export interface Suspension {
  readonly id: string;
  readonly key: string;
  readonly key_source: KeySource;
  readonly credential_id: string | null;
  readonly provider: string | null;
  readonly window_micros: number;
  readonly threshold_micros: number;
  readonly suspended_at: string;
  readonly resumed_at: string | null;
  readonly resumed_by: string | null;
}

const llm = (ws: string): string => `/workspaces/${seg(ws)}/llm`;

export async function listBudgets(ws: string): Promise<readonly Budget[]> {
  return (await api.get<{ items: readonly Budget[] }>(`${llm(ws)}/budgets`)).items;
}

export const createBudget = (ws: string, budget: NewBudget): Promise<Budget> =>
  api.post<Budget>(`${llm(ws)}/budgets`, budget);

export const updateBudget = (
  ws: string,
  id: string,
  change: { readonly hard_limit_micros: number; readonly soft_limit_micros: number | null },
): Promise<Budget> => api.patch<Budget>(`${llm(ws)}/budgets/${seg(id)}`, change);

export const deleteBudget = (ws: string, id: string): Promise<void> =>
  api.delete(`${llm(ws)}/budgets/${seg(id)}`);

export const getLimits = (ws: string): Promise<RateLimits> =>
  api.get<RateLimits>(`${llm(ws)}/limits`);

export const putLimits = (ws: string, limits: RateLimits): Promise<RateLimits> =>
  api.put<RateLimits>(`${llm(ws)}/limits`, limits);

export const getUsage = (ws: string): Promise<UsageSummary> =>
  api.get<UsageSummary>(`${llm(ws)}/usage`);

export async function listSuspensions(
  ws: string,
  status: 'live' | 'all' = 'live',
): Promise<readonly Suspension[]> {
  return (
    await api.get<{ items: readonly Suspension[] }>(`${llm(ws)}/suspensions${query({ status })}`)
  ).items;
}

export const resumeSuspension = (ws: string, id: string): Promise<Suspension> =>
  api.post<Suspension>(`${llm(ws)}/suspensions/${seg(id)}/resume`);
