/**
 * The dependency rule fails the build when broken: each case lints one
 * import, placed in a file of the layer that must not make it, with the
 * repository's own boundary rules (eslint.boundaries.js), and expects the
 * rule to name it; the allowed import beside it must pass. The tree itself
 * is linted by `npm run lint`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import boundaries from '../../eslint.boundaries.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  // The boundary rules alone, with the TypeScript parser but no type
  // information, so a file that does not exist on disk can be linted.
  overrideConfig: [{ languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const cases: readonly { name: string; file: string; bad: string; good: string; rule: RegExp }[] = [
  {
    name: 'a module importing the api layer',
    file: 'src/modules/workrooms/fixture.ts',
    bad: "import { buildServer } from '../../api/server.js';",
    good: "import { defineRoute } from '../tenancy/index.js';",
    rule: /no-restricted-paths.*Modules sit below api/,
  },
  {
    name: "a module importing another module's internals",
    file: 'src/modules/workrooms/fixture.ts',
    bad: "import { createKeyring } from '../keys/keyring.js';",
    good: "import { createKeyring } from '../keys/index.js';",
    rule: /no-restricted-paths.*through their index\.ts/,
  },
  {
    name: 'the HTTP kit importing a module',
    file: 'src/http/fixture.ts',
    bad: "import { ROLES } from '../modules/tenancy/index.js';",
    good: "import { AppError } from '../base/errors.js';",
    rule: /no-restricted-paths.*knows no module/,
  },
  {
    name: 'db importing the HTTP kit',
    file: 'src/db/fixture.ts',
    bad: "import { routeDefiner } from '../http/route.js';",
    good: "import { isUuid } from '../base/uuid.js';",
    rule: /no-restricted-paths.*db imports only base/,
  },
  {
    name: 'base importing db',
    file: 'src/base/fixture.ts',
    bad: "import { createDatabase } from '../db/database.js';",
    good: "import { AppError } from './errors.js';",
    rule: /no-restricted-paths.*base imports nothing/,
  },
  {
    name: 'the api layer importing the composition root',
    file: 'src/api/fixture.ts',
    bad: "import { createWardroom } from '../app.js';",
    good: "import { moduleRoutes } from './routes.js';",
    rule: /no-restricted-paths.*api sits below app/,
  },
  {
    name: 'source importing a test helper',
    file: 'src/modules/audit/fixture.ts',
    bad: "import { startTestApp } from '../../../test/support/app.js';",
    good: "import { auditRoutes } from './routes.js';",
    rule: /no-restricted-paths.*never imports tests/,
  },
  {
    name: 'a module importing the database driver',
    file: 'src/modules/audit/fixture.ts',
    bad: "import pg from 'pg';",
    good: "import { sql } from 'kysely';",
    rule: /no-restricted-imports.*Only src\/db/,
  },
  {
    name: 'the CLI holding SQL',
    file: 'src/cli/fixture.ts',
    bad: "import { sql } from 'kysely';",
    good: "import { createWardroom } from '../app.js';",
    rule: /no-restricted-imports.*holds no SQL/,
  },
  {
    name: 'the web console importing server code',
    file: 'console/src/fixture.tsx',
    bad: "import { AppError } from '../../src/base/errors.js';",
    good: "import { ApiError } from './api';",
    rule: /no-restricted-paths.*over HTTP only/,
  },
  {
    name: 'an import cycle',
    // api-tokens.ts imports roles.ts, so roles.ts importing it closes a cycle.
    file: 'src/modules/tenancy/roles.ts',
    bad: "import { createApiToken } from './api-tokens.js';",
    good: "import { AppError } from '../../base/errors.js';",
    rule: /import-x\/no-cycle/,
  },
];

describe('the dependency rule', () => {
  for (const c of cases) {
    it(`fails on ${c.name}`, async () => {
      const bad = await problems(c.file, `${c.bad}\nexport const used = [${name(c.bad)}];\n`);
      expect(
        bad.some((p) => c.rule.test(p)),
        bad.join('\n'),
      ).toBe(true);
      const good = await problems(c.file, `${c.good}\nexport const used = [${name(c.good)}];\n`);
      expect(good).toEqual([]);
    });
  }
});

/** The first imported binding of an import line. */
function name(line: string): string {
  const match = /import \{?\s*(\w+)/.exec(line);
  if (match?.[1] === undefined) throw new Error(`no binding in ${line}`);
  return match[1];
}
