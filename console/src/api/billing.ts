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
}

export const getBilling = (ws: string): Promise<Billing> =>
  api.get<Billing>(`/workspaces/${seg(ws)}/billing`);
