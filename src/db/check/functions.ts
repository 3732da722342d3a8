/**
 * `db check` rules on the functions in schema `wardroom`: none is LEAKPROOF
 * (the planner may run a leakproof function on rows before the policies
 * filter them out), and each SECURITY DEFINER function sets its search_path
 * and is not executable by PUBLIC.
 */
import { FUNCTION_NAME, SCHEMA, type AddFinding, type Query } from './shared.js';

interface FunctionRow {
  readonly name: string;
  readonly definer: boolean;
  readonly leakproof: boolean;
  readonly fixed_path: boolean;
  readonly public_exec: boolean;
}

/** `leakproof_function`, `security_definer_without_search_path`, `security_definer_public_execute`. */
export async function checkFunctions(q: Query, add: AddFinding): Promise<void> {
  for (const f of await loadFunctions(q)) {
    if (f.leakproof) add('leakproof_function', f.name, `${f.name} is marked LEAKPROOF`);
    if (!f.definer) continue;
    if (!f.fixed_path) {
      add(
        'security_definer_without_search_path',
        f.name,
        `SECURITY DEFINER ${f.name} has no SET search_path`,
      );
    }
    if (f.public_exec) {
      add(
        'security_definer_public_execute',
        f.name,
        `SECURITY DEFINER ${f.name} is executable by PUBLIC`,
      );
    }
  }
}

async function loadFunctions(q: Query): Promise<FunctionRow[]> {
  return q<FunctionRow>(
    `select ${FUNCTION_NAME} as name,
            p.prosecdef as definer, p.proleakproof as leakproof,
            exists (select 1 from unnest(coalesce(p.proconfig, '{}')) s
                     where s like 'search_path=%') as fixed_path,
            exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                     where a.grantee = 0 and a.privilege_type = 'EXECUTE') as public_exec
       from pg_proc p where p.pronamespace = $1::regnamespace order by 1`,
    [SCHEMA],
  );
}
