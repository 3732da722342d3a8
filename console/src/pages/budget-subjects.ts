/**
 * Who a budget is for, in words: the workspace, a member by name and email,
 * or an API token by name (the admin's own tokens are known by name; another
 * member's token only by the start of its id, as the API shows no one
 * else's tokens).
 */
import type { Budget } from '../api/budgets';
import type { Member } from '../api/members';
import type { ApiToken } from '../api/tokens';

export interface Subjects {
  readonly members: readonly Member[];
  readonly tokens: readonly ApiToken[];
}

export function memberName(m: Member): string {
  return m.display_name === '' || m.display_name === m.email
    ? m.email
    : `${m.display_name} (${m.email})`;
}

export function subjectOf(budget: Budget, subjects: Subjects): string {
  if (budget.scope === 'workspace') return 'The whole workspace';
  if (budget.scope === 'member') {
    const m = subjects.members.find((x) => x.user_id === budget.user_id);
    return m === undefined ? 'A former member' : `Member: ${memberName(m)}`;
  }
  const t = subjects.tokens.find((x) => x.id === budget.token_id);
  return t === undefined
    ? `API token ${(budget.token_id ?? '').slice(0, 8)}…`
    : `API token: ${t.name}`;
}

export const PERIOD_NAMES: Readonly<Record<Budget['period'], string>> = {
  day: 'Daily (UTC day)',
  month: 'Monthly (UTC month)',
};
