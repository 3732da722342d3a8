/**
 * The operator gate behind `wardroom ops psql`: before an operator gets a
 * psql session, the database must be one where the ops role cannot escape
 * the audit log (db check's owner and ops rules, check/operators.ts), and
 * every workspace gets an `ops.session_opened` event saying who (the OS
 * user), why (the reason) and when (the database's clock). The session
 * itself then runs with `role` set to the ops role at connection start
 * (PGOPTIONS `-c role=...`), so every change it makes is recorded with actor
 * `ops` by the audit triggers, and it can neither SET
 * session_replication_role nor disable a trigger.
 *
 * This is a recorded, least-privilege default, not a wall against whoever
 * holds the admin credentials: a session that logs in as a superuser can
 * RESET ROLE. docs/audit.md, "Trust root", says what that leaves.
 */
import pg from 'pg';
import { checkOperators } from './check/operators.js';
import { queryOn, type CheckFinding } from './check/shared.js';
import type { RoleNames } from './roles.js';

export interface OpsSessionRequest {
  readonly adminUrl: string;
  readonly roles: RoleNames;
  readonly reason: string;
  /** Who asked, as the operating system knows them. */
  readonly osUser: string;
}

export interface OpsSessionOpened {
  /** Workspaces that received the `ops.session_opened` event. */
  readonly workspaces: number;
  /** Environment additions for the psql child: the ops role at connection start. */
  readonly env: Readonly<Record<string, string>>;
}

export class OpsGateRefused extends Error {
  constructor(readonly findings: readonly CheckFinding[]) {
    super(`the ops role is not contained: ${findings.map((f) => f.rule).join(', ')}`);
  }
}

/** Checks the ops role, records the session in every workspace, and returns psql's environment. */
export async function openOpsSession(
  request: OpsSessionRequest,
  inherited: Readonly<Record<string, string | undefined>> = {},
): Promise<OpsSessionOpened> {
  const reason = request.reason.trim();
  if (reason.length < 3) throw new Error('an ops session needs a reason');
  const client = new pg.Client({ connectionString: request.adminUrl });
  await client.connect();
  try {
    const findings: CheckFinding[] = [];
    await checkOperators(queryOn(client), request.roles, (rule, object, message) => {
      findings.push({ rule, object, message });
    });
    if (findings.length > 0) throw new OpsGateRefused(findings);
    // Inserted by a session that is not the app role: the stamp sets
    // actor_type 'ops' and the time, whatever this statement says.
    const { rowCount } = await client.query(
      `insert into wardroom.audit_log (tenant_id, actor_type, actor_id, actor_name, action, metadata)
       select w, 'ops', $1, $1, 'ops.session_opened',
              jsonb_build_object('reason', $2::text, 'role', $3::text, 'database_user', session_user::text)
         from wardroom.list_workspace_ids() w`,
      [request.osUser, reason, request.roles.ops],
    );
    const previous = inherited['PGOPTIONS']?.trim() ?? '';
    const role = `-c role=${request.roles.ops}`;
    return {
      workspaces: rowCount ?? 0,
      env: { PGOPTIONS: previous === '' ? role : `${previous} ${role}` },
    };
  } finally {
    await client.end();
  }
}
