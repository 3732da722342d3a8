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
}

export type TemplateName = keyof TemplateData;

export const TEMPLATE_NAMES = [
  'sign_in_code',
  'invitation',
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
