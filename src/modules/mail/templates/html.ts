/**
 * HTML bodies are written with the `html` tag: every interpolated value is
 * escaped unless it is itself the output of the tag, so a template cannot
 * forget to escape a workspace name or a URL.
 */
import type { SafeHtml } from './types.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && SAFE.has(value);
}

const SAFE = new WeakSet<object>();

export function html(
  strings: TemplateStringsArray,
  ...values: readonly (string | number | SafeHtml)[]
): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += (isSafe(value) ? value.html : escapeHtml(String(value))) + (strings[i + 1] ?? '');
  });
  const safe = { html: out };
  SAFE.add(safe);
  return safe;
}

/** A full HTML document around a body (the `lang` attribute from the catalog's language). */
export function page(lang: string, title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <title>${title}</title>
      </head>
      <body style="font-family: sans-serif; line-height: 1.5">
        ${body}
      </body>
    </html> `;
}
