/**
 * docs/configuration.md is generated from the configuration schema
 * (scripts/config-docs.ts), and this keeps it so: the committed file must
 * equal a fresh rendering, and every environment variable the code reads,
 * through the schema or directly, must appear in it. Needs no database.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_DOCS_PATH,
  OUTSIDE_SCHEMA,
  renderConfigDocs,
  schemaVariables,
} from '../../../scripts/config-docs.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Variable names documented in a table row of the file (first cell). */
function documentedVariables(markdown: string): Set<string> {
  const names = [...markdown.matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map((m) => m[1]!);
  return new Set(names);
}

/** Every `env['NAME']` or `env.NAME` read in src/ (including `process.env`). */
async function variablesReadInSource(): Promise<Set<string>> {
  const dir = path.join(repoRoot, 'src');
  const files = (await readdir(dir, { recursive: true })).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.test-d.ts'),
  );
  const names = new Set<string>();
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(
      /\benv(?:\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]|\.([A-Z][A-Z0-9_]*))/g,
    ))
      names.add(m[1] ?? m[2]!);
  }
  return names;
}

describe('docs/configuration.md', () => {
  it('is exactly what scripts/config-docs.ts renders from the schema (run `npm run docs:config`)', async () => {
    const committed = await readFile(CONFIG_DOCS_PATH, 'utf8');
    expect(committed).toBe(await renderConfigDocs());
  });

  it('documents every variable the schema reads, each with a description', async () => {
    const documented = documentedVariables(await readFile(CONFIG_DOCS_PATH, 'utf8'));
    expect(schemaVariables().length).toBeGreaterThan(20);
    for (const name of schemaVariables()) expect(documented, name).toContain(name);
  });

  it('documents every variable read directly in src/, outside the schema', async () => {
    const documented = documentedVariables(await readFile(CONFIG_DOCS_PATH, 'utf8'));
    const read = await variablesReadInSource();
    expect(read).toContain('WARDROOM_IMPORT_KEY'); // the scan itself works
    for (const name of read) expect(documented, name).toContain(name);
    for (const v of OUTSIDE_SCHEMA) expect(read, v.name).toContain(v.name);
  });
});
