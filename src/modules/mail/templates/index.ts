/**
 * Renders a template in the recipient's language. A language is one file
 * exporting a `Catalog` (see en.ts), added to `CATALOGS` below; `fr-CA`
 * looks for `fr-ca`, then `fr`, then falls back to English.
 *
 * Values are cleaned before any template sees them: control characters
 * (line breaks included) become spaces, so a workspace name cannot add a
 * header to the subject or fake lines in the text body; the HTML body
 * escapes every value on top of that (html.ts).
 */
import { en } from './en.js';
import type { Catalog, Rendered, TemplateData, TemplateName } from './types.js';

const CATALOGS: Readonly<Record<string, Catalog>> = { en };

export function catalogFor(language: string | undefined): { language: string; catalog: Catalog } {
  const wanted = (language ?? '').toLowerCase();
  for (const candidate of [wanted, wanted.split('-')[0] ?? '']) {
    const catalog = Object.hasOwn(CATALOGS, candidate) ? CATALOGS[candidate] : undefined;
    if (catalog !== undefined) return { language: candidate, catalog };
  }
  return { language: 'en', catalog: en };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

function clean<D extends object>(data: D): D {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [
      k,
      typeof v === 'string' ? v.replace(CONTROL, ' ').trim() : v,
    ]),
  ) as D;
}

export function render<K extends TemplateName>(
  template: K,
  language: string | undefined,
  data: TemplateData[K],
): Rendered {
  const { catalog } = catalogFor(language);
  // The catalog's type pairs each template with its data; TS cannot follow K through the lookup.
  const t = catalog[template] as Catalog[TemplateName] as {
    subject(d: TemplateData[K]): string;
    text(d: TemplateData[K]): string;
    html(d: TemplateData[K]): { html: string };
  };
  const d = clean(data);
  return { subject: t.subject(d), text: t.text(d), html: t.html(d).html };
}

export type { TemplateData, TemplateName } from './types.js';
export { TEMPLATE_NAMES } from './types.js';
