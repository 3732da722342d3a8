/**
 * What each template receives, and what one language must provide: a
 * subject, a plain-text body and an HTML body for every template. The type
 * makes a language that misses a template, or misreads its data, a compile
 * error.
 */

export interface TemplateData {
  readonly sign_in_code: {
    /** Six digits. */
    readonly code: string;
    /** How many minutes the code stays valid. */
    readonly validMinutes: number;
  };
  readonly invitation: {
    /** Who invited: a display name, or their email when they have none. */
    readonly inviterName: string;
    readonly workspaceName: string;
    /** Where to sign in (WARDROOM_PUBLIC_URL); filled in by the mailer. */
    readonly consoleUrl: string;
  };
  /** To admins and owners, once per budget window (budgets module). */
  readonly llm_budget_soft_limit: {
    readonly workspaceId: string;
    /** What the budget covers: "the workspace", "a member", "an API token". */
    readonly scope: string;
    readonly period: 'day' | 'month';
    /** Dollar amounts, already formatted ("12.50"). */
    readonly spentUsd: string;
    readonly softLimitUsd: string;
    readonly hardLimitUsd: string;
  };
  /** To owners, when the velocity tripwire suspends a key (budgets module). */
  readonly llm_key_suspended: {
    readonly workspaceId: string;
    /** `byok:<credential id>`, `platform:<provider>` or `offline`: never the key. */
    readonly key: string;
    readonly windowMinutes: number;
    readonly spentUsd: string;
    readonly thresholdUsd: string;
  };
  /**
   * To admins and owners, once per deadline and threshold (privacy module):
   * privacy requests near or past their legal deadline. Counts and dates
   * only: who asked stays in the console.
   */
  readonly privacy_request_reminder: {
    readonly workspaceId: string;
    readonly overdue: number;
    readonly nearDue: number;
    /** The earliest deadline among them, YYYY-MM-DD (UTC). */
    readonly earliestDueOn: string;
  };
  /** To whoever asked to opt an address out of every workspace's contacts (contacts module). */
  readonly privacy_optout_code: {
    readonly code: string;
    readonly validMinutes: number;
  };
  /** The opt-out is recorded: contacts with the address are deleted by `deleteBy`. */
  readonly privacy_optout_confirmed: {
    /** A date, YYYY-MM-DD (UTC). */
    readonly deleteBy: string;
  };
  /** To whoever asked for a workspace export (privacy module): its signed download link. */
  readonly privacy_export_ready: {
    readonly workspaceName: string;
    /** `snapshot` (content sealed as stored) or `readable` (content opened). */
    readonly form: string;
    /** The signed link (at most 7 days). */
    readonly url: string;
    /** When the link stops working, an ISO 8601 UTC time. */
    readonly expiresAt: string;
  };
  /** To a person whose deletion is scheduled (privacy module): when it runs, how to cancel. */
  readonly account_deletion_scheduled: {
    /** When the deletion runs at the earliest, an ISO 8601 UTC time. */
    readonly runsAfter: string;
    /** Where to cancel (the console's account page); filled in by the mailer. */
    readonly consoleUrl: string;
  };
  /** To a person whose pending deletion was cancelled (privacy module). */
  readonly account_deletion_cancelled: {
    /** Who cancelled: `you` (the person) or `the workspace` (its owner, with the request). */
    readonly by: 'you' | 'the workspace';
  };
  /** The receipt, to the address the person had before it was pseudonymised (privacy module). */
  readonly account_deletion_receipt: {
    /** When it completed, an ISO 8601 UTC time. */
    readonly completedAt: string;
    /** The deletion's reference (its id). */
    readonly reference: string;
    readonly workspaces: number;
    readonly revokedSessions: number;
    readonly revokedTokens: number;
  };
  /** To owners, 7 days and 1 day before a workspace's post-cancellation purge (billing module). */
  readonly workspace_purge_warning: {
    readonly workspaceName: string;
    readonly workspaceId: string;
    /** 7 or 1. */
    readonly daysBefore: number;
    /** When the purge runs, an ISO 8601 UTC time. */
    readonly purgeAt: string;
  };
  /** To owners, once a workspace was purged: the signed shred receipt and what was deleted. */
  readonly workspace_purge_receipt: {
    readonly workspaceId: string;
    readonly receiptId: string;
    readonly shreddedAt: string;
    readonly keyVersions: number;
    readonly objectsDeleted: number;
    /** The signed receipt as one line of JSON (`wardroom keys verify-receipt` checks it). */
    readonly receiptJson: string;
  };
}

export type TemplateName = keyof TemplateData;

export const TEMPLATE_NAMES = [
  'sign_in_code',
  'invitation',
  'llm_budget_soft_limit',
  'llm_key_suspended',
  'privacy_optout_code',
  'privacy_optout_confirmed',
  'privacy_export_ready',
  'privacy_request_reminder',
  'account_deletion_scheduled',
  'account_deletion_cancelled',
  'account_deletion_receipt',
  'workspace_purge_warning',
  'workspace_purge_receipt',
] as const satisfies readonly TemplateName[];

/** Already-escaped HTML, made only by the `html` tag (html.ts). */
export interface SafeHtml {
  readonly html: string;
}

export interface Rendered {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface TemplateText<D> {
  subject(data: D): string;
  text(data: D): string;
  html(data: D): SafeHtml;
}

/** One language: every template. */
export type Catalog = { readonly [K in TemplateName]: TemplateText<TemplateData[K]> };
