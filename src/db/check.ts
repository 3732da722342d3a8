/**
 * `wardroom db check`: proves invariant 1 (tenant isolation in the database)
 * against the live catalog, naming every table, view, function or role that
 * breaks it. An empty result means the database passes.
 *
 * This file runs the rules, which live in check/ by what they check: tables
 * (RLS, tenant_id, the allowlist), keys, audit triggers, functions, views,
 * the app role, the policies that apply to it, and the owner and ops roles
 * (check/operators.ts: who could forge or silence the audit log), and the
 * job queue's jobs role and schema (check/jobs.ts). Tenant tables are every
 * table in schema `wardroom` not on the allowlist in global-tables.ts. What
 * counts as a policy bound to the tenant setting is defined in
 * check/tenant-bound.ts.
 */
import pg from 'pg';
import { pgConnection } from './tls.js';
import { checkAuditTriggers } from './check/audit.js';
import { checkFunctions } from './check/functions.js';
import { checkJobs } from './check/jobs.js';
import { JOBS_SCHEMA } from './jobs.js';
import { checkForeignKeys, checkUniqueKeys } from './check/keys.js';
import { checkOperators } from './check/operators.js';
import { checkPolicies } from './check/policies.js';
import { checkAppRole, checkAppRoleAttributes } from './check/role.js';
import { queryOn, type AddFinding, type CheckFinding } from './check/shared.js';
import {
  checkAllowlist,
  checkRowLevelSecurity,
  checkSchemaExists,
  checkTenantColumn,
  loadTables,
  tenantTableNames,
} from './check/tables.js';
import { checkViews } from './check/views.js';
import type { RoleNames } from './roles.js';

export type { AddFinding, CheckFinding } from './check/shared.js';

export async function checkDatabase(
  client: pg.ClientBase,
  roles: RoleNames,
  jobsSchema: string = JOBS_SCHEMA,
): Promise<CheckFinding[]> {
  const findings: CheckFinding[] = [];
  const add: AddFinding = (rule, object, message) => {
    findings.push({ rule, object, message });
  };
  const q = queryOn(client);
  if (!(await checkSchemaExists(q, add))) return findings;

  const tables = await loadTables(q);
  const tenantTables = tenantTableNames(tables);
  checkRowLevelSecurity(tables, add);
  checkTenantColumn(tables, add);
  checkAllowlist(tables, add);
  await checkUniqueKeys(q, tenantTables, add);
  await checkForeignKeys(q, tenantTables, add);
  await checkAuditTriggers(q, tenantTables, add);
  await checkFunctions(q, add);
  await checkViews(q, add);
  await checkOperators(q, roles, add);
  await checkJobs(q, roles, jobsSchema, add);

  const app = await checkAppRoleAttributes(q, roles.app, add);
  if (app !== undefined) {
    await checkPolicies(q, tenantTables, app, add);
    await checkAppRole(q, app, add);
  }
  return sortFindings(findings);
}

function sortFindings(findings: CheckFinding[]): CheckFinding[] {
  return findings.sort(
    (a, b) =>
      a.object.localeCompare(b.object) ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
}

/** Runs the check over a connection of its own to `adminUrl` (the CLI's `db check`). */
export async function checkDatabaseAt(adminUrl: string, roles: RoleNames): Promise<CheckFinding[]> {
  const client = new pg.Client(pgConnection(adminUrl));
  await client.connect();
  try {
    return await checkDatabase(client, roles);
  } finally {
    await client.end();
  }
}
