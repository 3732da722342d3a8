/** Reading an export's zip in tests: every file's text, JSON Lines, a link's path. */
import { unzip } from '../support/zip.js';

export { unzip };

export const lines = (s: string | undefined): Record<string, unknown>[] =>
  (s ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

export function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}
