/**
 * Database role names. Migrations are written against the canonical names
 * (`wardroom_owner`, `wardroom_app`, `wardroom_ops`, and the job queue's
 * login `wardroom_jobs`, which migrations never name: it reaches pg-boss's
 * tables only, granted by jobs.ts); a deployment may pick
 * another prefix so several databases can share one cluster (roles are
 * cluster-wide), and the migration runner maps the canonical names to the
 * configured ones.
 */

export interface RoleNames {
  readonly owner: string;
  readonly app: string;
  readonly ops: string;
  readonly jobs: string;
}

const CANONICAL_PREFIX = 'wardroom_';

export function roleNames(prefix: string): RoleNames {
  return {
    owner: `${prefix}owner`,
    app: `${prefix}app`,
    ops: `${prefix}ops`,
    jobs: `${prefix}jobs`,
  };
}

/**
 * Rewrites canonical role identifiers in migration SQL to the configured
 * names (not `wardroom_jobs`, which is also the job queue's schema name).
 */
export function mapRoleNames(sqlText: string, roles: RoleNames): string {
  if (roles.owner === `${CANONICAL_PREFIX}owner`) return sqlText;
  return sqlText.replace(
    /\bwardroom_(owner|app|ops)\b/g,
    (_m, which: 'owner' | 'app' | 'ops') => roles[which],
  );
}

/** Quotes a role or other identifier for SQL text (names are validated by config already). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
