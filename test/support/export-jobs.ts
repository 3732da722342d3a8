/**
 * Export jobs for in-process HTTP tests: the route's job runs at once, in
 * the process, through the same runExportJob a pg-boss worker calls (the
 * queue itself is tested in test/privacy/export-jobs.test.ts). A run is its
 * last attempt, so a failure ends the export `failed` at once.
 */
import type { Database } from '../../src/db/database.js';
import type { Keyring } from '../../src/modules/keys/index.js';
import {
  runExportJob,
  type ExportJobOutcome,
  type ExportMailer,
  type ExportScheduler,
} from '../../src/modules/privacy/index.js';
import type { Storage } from '../../src/modules/storage/index.js';

export interface InlineExportJobs extends ExportScheduler {
  /** Each run's outcome, in order. */
  readonly outcomes: ExportJobOutcome[];
}

export function inlineExportJobs(deps: {
  db: Database;
  keyring: Keyring;
  storage: Storage;
  mailer?: ExportMailer | undefined;
  clock: () => Date;
}): InlineExportJobs {
  const outcomes: ExportJobOutcome[] = [];
  return {
    outcomes,
    async schedule(tenantId, exportId) {
      outcomes.push(await runExportJob(deps, { tenantId, exportId }, { final: true }));
    },
  };
}
