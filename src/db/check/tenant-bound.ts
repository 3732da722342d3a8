/**
 * When a row-level security policy expression pins rows to the tenant.
 *
 * A policy is "tenant-bound" when one of its top-level AND conjuncts is
 * `tenant_id = <the wardroom.tenant_id setting>`, where the setting side may
 * only be built from current_setting('wardroom.tenant_id'), NULLIF with '', a
 * uuid cast and a scalar sub-select (the forms pg_get_expr prints for the
 * policies in migrations/). Anything else (OR, COALESCE, another column or
 * setting) is not bound, so a lookalike cannot pass `wardroom db check`.
 */

/** The setting getter, with whitespace and parentheses removed (see the file comment). */
const SETTING =
  /^(?:SELECT)?(?:NULLIF)?current_setting'wardroom\.tenant_id'(?:::text)?(?:,(?:true|false))?(?:,''(?:::text)?)?::uuid(?:AS"?[a-z_]+"?)?$/i;

/** Whether an expression printed by pg_get_expr pins rows to the wardroom.tenant_id setting. */
export function isTenantBound(expr: string | null): boolean {
  if (expr === null) return false;
  return conjuncts(expr).some((c) => {
    const sides = splitTopLevel(stripParens(c), ' = ');
    if (sides.length !== 2) return false;
    const [left, right] = sides.map((s) => stripParens(s.trim()));
    const isSetting = (s: string | undefined) => SETTING.test((s ?? '').replace(/[\s()]/g, ''));
    const isColumn = (s: string | undefined) => s === 'tenant_id';
    return (isColumn(left) && isSetting(right)) || (isColumn(right) && isSetting(left));
  });
}

function conjuncts(expr: string): string[] {
  const parts = splitTopLevel(stripParens(expr.trim()), ' AND ');
  return parts.length === 1 ? parts : parts.flatMap(conjuncts);
}

/** Removes parentheses that wrap the whole expression. */
function stripParens(expr: string): string {
  let s = expr.trim();
  while (s.startsWith('(') && s.endsWith(')') && isBalanced(s.slice(1, -1)))
    s = s.slice(1, -1).trim();
  return s;
}

/** Whether parentheses outside string literals balance without ever closing early. */
function isBalanced(s: string): boolean {
  let depth = 0;
  let quoted = false;
  for (const ch of s) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Splits on `sep` where it occurs outside parentheses and string literals. */
function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}
