/** Billing (admins): the workspace's plan and its Stripe subscription's status. */
import { api, seg } from './client';

export interface Billing {
  readonly plan: string;
  readonly plan_label: string;
  /** null: Stripe never named this workspace. */
  readonly subscription: {
    readonly status: string;
    readonly current_period_end: string | null;
    readonly cancel_at_period_end: boolean;
  } | null;
  readonly purge: Purge;
}

/** The automatic post-cancellation purge: the owner's choice and the schedule. */
export interface Purge {
  /** null: the operator's default applies. */
  readonly enabled: boolean | null;
  readonly default_on: boolean;
  readonly effective: boolean;
  readonly days: number;
  readonly state: 'none' | 'scheduled' | 'cancelled' | 'purging' | 'done';
  readonly cancelled_at: string | null;
  readonly due_at: string | null;
}

export const setPurge = (ws: string, enabled: boolean | null): Promise<Purge> =>
  api.put<Purge>(`/workspaces/${seg(ws)}/billing/purge`, { enabled });

export const getBilling = (ws: string): Promise<Billing> =>
  api.get<Billing>(`/workspaces/${seg(ws)}/billing`);
