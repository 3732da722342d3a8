/**
 * Row types of the billing tables (migration 023), part of db/schema.ts's DB.
 */
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

export interface WorkspaceBillingTable {
  tenant_id: string;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  subscription_status: string | null;
  current_period_end: Date | null;
  cancel_at_period_end: Generated<boolean>;
  last_event_at: Date;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface BillingEventsTable {
  tenant_id: string;
  event_id: string;
  event_type: string;
  event_created_at: Date;
  applied_at: CreatedAt;
}

/** The post-cancellation purge of a workspace (migration 027). */
export interface WorkspacePurgesTable {
  tenant_id: string;
  enabled: boolean | null;
  state: Generated<'none' | 'scheduled' | 'cancelled' | 'purging' | 'done'>;
  cancelled_at: Date | null;
  due_at: Date | null;
  warned_7_at: Date | null;
  warned_1_at: Date | null;
  claimed_at: Date | null;
  shred_receipt_id: string | null;
  objects_deleted: number | null;
  receipt_claimed_at: Date | null;
  completed_at: Date | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
