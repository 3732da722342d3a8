// The dependency rule, as lint: a stack that reads from the folders,
//   cli → app (src/app.ts, src/start-gateway.ts, src/index.ts) → api → modules → http → db → base
// where each layer imports only the layers below it, modules meet each other
// only through their index.ts, nothing in src/ imports tests or benchmarks,
// and there is no import cycle. The web console (console/) is a separate
// program that talks to the server over HTTP only: it imports nothing from
// src/, test/ or bench/. test/unit/boundaries.test.ts shows
// each rule failing on an import that breaks it.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';

const root = import.meta.dirname;
const modules = readdirSync(path.join(root, 'src/modules'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const faces = modules.map((m) => `./${m}/index.ts`);
const app = [
  './src/app.ts',
  './src/app-running.ts',
  './src/start-gateway.ts',
  './src/start-privacy.ts',
  './src/start-secrets.ts',
  './src/index.ts',
];

/** `target` may import nothing from `from` (apart from `except`, relative to `from`). */
const zone = (target, from, message, except) => ({
  target,
  from,
  message,
  ...(except === undefined ? {} : { except }),
});

const zones = [
  zone('./src/base', './src', 'base imports nothing of ours.', ['./base', './types']),
  zone('./src/db', './src', 'db imports only base.', ['./db', './base', './types']),
  zone('./src/http', './src', 'The HTTP kit knows no module: it imports only db and base.', [
    './http',
    './db',
    './base',
    './types',
  ]),
  zone('./src/modules', ['./src/api', './src/cli', ...app], 'Modules sit below api, app and cli.'),
  zone('./src/api', ['./src/cli', ...app], 'api sits below app and cli.'),
  zone(app, './src/cli', 'app sits below cli.'),
  zone('./src', ['./test', './bench'], 'Source never imports tests or benchmarks.'),
  // Modules meet only through each other's public face.
  ...modules.map((m) =>
    zone(`./src/modules/${m}`, './src/modules', `Import other modules through their index.ts.`, [
      `./${m}`,
      ...faces.filter((f) => f !== `./${m}/index.ts`),
    ]),
  ),
  zone(
    ['./src/api', './src/cli', ...app],
    './src/modules',
    'Import modules through their index.ts.',
    faces,
  ),
];

export default [
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x skips .ts files when it follows imports, and
      // no-cycle sees no cycle at all.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: path.join(root, 'tsconfig.json') }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // The console reaches the server through the public HTTP API, never its code.
    files: ['console/**/*.{ts,tsx}'],
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: path.join(root, 'console/tsconfig.json') }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            zone(
              './console',
              ['./src', './test', './bench', './scripts'],
              'The console talks to the server over HTTP only: it imports nothing from src/.',
            ),
          ],
        },
      ],
    },
    plugins: { 'import-x': importX },
  },
  {
    // The database driver and job queue stay behind db/: everything above
    // gets transactions and a narrowed queue, never a connection.
    files: ['src/modules/**/*.ts', 'src/api/**/*.ts', 'src/http/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['pg', 'pg-boss', 'pg-cursor'].map((name) => ({
            name,
            message: 'Only src/db talks to the database driver and the job queue.',
          })),
        },
      ],
    },
  },
  {
    // The CLI calls use cases; it holds no SQL.
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['pg', 'pg-boss', 'pg-cursor', 'kysely'].map((name) => ({
            name,
            message: 'The CLI calls use cases in modules; it holds no SQL.',
          })),
        },
      ],
    },
  },
];
