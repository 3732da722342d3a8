/**
 * Vitest global setup: one PostgreSQL for the whole run. With
 * TEST_DATABASE_URL (CI: the local PostgreSQL 15) tests use that cluster;
 * without it an embedded PostgreSQL is started in a temporary folder, so the
 * suite also passes on a machine with no database server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureEmbeddedPostgres } from '../src/db/embedded.js';
import { createTestDatabase, dropTestDatabase } from './support/databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clusterUrl: string;
    adminUrl: string;
    appUrl: string;
    jobsUrl: string;
    rolePrefix: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let clusterUrl = process.env['TEST_DATABASE_URL'];
  let stopEmbedded: (() => Promise<void>) | undefined;
  let tmp: string | undefined;
  if (clusterUrl === undefined || clusterUrl === '') {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'wardroom-test-'));
    const embedded = await ensureEmbeddedPostgres(tmp);
    clusterUrl = embedded.adminUrl;
    stopEmbedded = () => embedded.stop();
  }
  const db = await createTestDatabase(clusterUrl);
  project.provide('clusterUrl', clusterUrl);
  project.provide('adminUrl', db.adminUrl);
  project.provide('appUrl', db.appUrl);
  project.provide('jobsUrl', db.jobsUrl);
  project.provide('rolePrefix', db.rolePrefix);
  const cluster = clusterUrl;
  return async () => {
    await dropTestDatabase(cluster, db);
    await stopEmbedded?.();
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  };
}
