/**
 * The budget forms: create one (scope, who it is for, period, limits in
 * USD) and change a budget's limits. Amounts are typed as decimal dollars
 * and converted to micro-dollars exactly (../usd.ts); an amount that is not
 * one is refused here, before anything is sent.
 */
import { useId, useState, type ReactNode } from 'react';
import {
  createBudget,
  updateBudget,
  type Budget,
  type BudgetPeriod,
  type BudgetScope,
  type NewBudget,
} from '../api/budgets';
import { ErrorLine, useSubmit } from '../ui/forms';
import { parseUsd, usdField } from '../usd';
import { memberName, PERIOD_NAMES, type Subjects } from './budget-subjects';

/** Thrown by a form's own checks; shown like an API error. */
class FormProblem extends Error {}

const SENTENCES = {
  conflict:
    'There is already a budget for that subject and period. Change its limits in the list instead.',
  not_found:
    'That member or API token is not in this workspace (any more). Reload and choose again.',
  validation_failed:
    'The limits are not valid: each is an amount from $0 to $1,000,000,000, and the soft limit is at most the hard limit.',
};

/** The two limits typed in dollars → micros; the soft one may be empty. */
function limitsOf(hard: string, soft: string): { hard: number; soft: number | null } {
  const hardMicros = parseUsd(hard);
  if (hardMicros === undefined) {
    throw new FormProblem(
      'Enter the hard limit in US dollars, such as 250 or 12.50 (at most six decimals).',
    );
  }
  if (soft.trim() === '') return { hard: hardMicros, soft: null };
  const softMicros = parseUsd(soft);
  if (softMicros === undefined) {
    throw new FormProblem(
      'Enter the soft limit in US dollars, such as 200 or 9.99, or leave it empty.',
    );
  }
  if (softMicros > hardMicros) {
    throw new FormProblem('The soft limit must be at most the hard limit.');
  }
  return { hard: hardMicros, soft: softMicros };
}

/** useSubmit with the form's own checks worded as they are. */
function useBudgetSubmit(action: () => Promise<void>) {
  const [problem, setProblem] = useState<string | undefined>();
  const submit = useSubmit(async () => {
    setProblem(undefined);
    try {
      await action();
    } catch (e) {
      if (e instanceof FormProblem) {
        setProblem(e.message);
        return;
      }
      throw e;
    }
  }, SENTENCES);
  return { ...submit, error: problem ?? submit.error };
}

function LimitFields(props: {
  readonly id: string;
  readonly hard: string;
  readonly soft: string;
  readonly setHard: (v: string) => void;
  readonly setSoft: (v: string) => void;
  readonly labelSuffix?: string;
}): ReactNode {
  const suffix = props.labelSuffix ?? '';
  return (
    <>
      <label htmlFor={`${props.id}-hard`}>Hard limit (USD){suffix}</label>
      <input
        id={`${props.id}-hard`}
        inputMode="decimal"
        autoComplete="off"
        required
        value={props.hard}
        aria-describedby={`${props.id}-limits-help ${props.id}-error`}
        onChange={(e) => props.setHard(e.target.value)}
      />
      <label htmlFor={`${props.id}-soft`}>Soft limit (USD, optional){suffix}</label>
      <input
        id={`${props.id}-soft`}
        inputMode="decimal"
        autoComplete="off"
        value={props.soft}
        aria-describedby={`${props.id}-limits-help ${props.id}-error`}
        onChange={(e) => props.setSoft(e.target.value)}
      />
      <p id={`${props.id}-limits-help`} className="hint">
        A call that would take the window&apos;s spend past the hard limit is refused. Crossing the
        soft limit emails admins and owners once per window.
      </p>
    </>
  );
}

export function CreateBudgetForm(props: {
  readonly ws: string;
  readonly subjects: Subjects;
  readonly created: () => void;
}): ReactNode {
  const id = useId();
  const [scope, setScope] = useState<BudgetScope>('workspace');
  const [userId, setUserId] = useState('');
  const [tokenChoice, setTokenChoice] = useState('');
  const [otherToken, setOtherToken] = useState('');
  const [period, setPeriod] = useState<BudgetPeriod>('month');
  const [hard, setHard] = useState('');
  const [soft, setSoft] = useState('');
  const [done, setDone] = useState<string | undefined>();
  const liveTokens = props.subjects.tokens.filter((t) => t.status === 'active');
  const save = useBudgetSubmit(async () => {
    setDone(undefined);
    const limits = limitsOf(hard, soft);
    const base = { period, hard_limit_micros: limits.hard, soft_limit_micros: limits.soft };
    let budget: NewBudget;
    if (scope === 'member') {
      if (userId === '') throw new FormProblem('Choose the member this budget is for.');
      budget = { ...base, scope, user_id: userId };
    } else if (scope === 'token') {
      const tokenId = tokenChoice === 'other' ? otherToken.trim() : tokenChoice;
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tokenId)) {
        throw new FormProblem('Choose an API token, or enter the id of one (a UUID).');
      }
      budget = { ...base, scope, token_id: tokenId };
    } else {
      budget = { ...base, scope };
    }
    await createBudget(props.ws, budget);
    setHard('');
    setSoft('');
    setDone('Budget created.');
    props.created();
  });
  return (
    <form className="panel" noValidate onSubmit={save.submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Add a budget</h2>
      <label htmlFor={`${id}-scope`}>Applies to</label>
      <select
        id={`${id}-scope`}
        value={scope}
        onChange={(e) => setScope(e.target.value as BudgetScope)}
      >
        <option value="workspace">The whole workspace</option>
        <option value="member">One member&apos;s calls</option>
        <option value="token">Calls made with one API token</option>
      </select>
      {scope === 'member' ? (
        <>
          <label htmlFor={`${id}-member`}>Member</label>
          <select id={`${id}-member`} value={userId} onChange={(e) => setUserId(e.target.value)}>
            <option value="">Choose a member…</option>
            {props.subjects.members.map((m) => (
              <option key={m.user_id} value={m.user_id}>
                {memberName(m)}
              </option>
            ))}
          </select>
        </>
      ) : null}
      {scope === 'token' ? (
        <>
          <label htmlFor={`${id}-token`}>API token</label>
          <select
            id={`${id}-token`}
            value={tokenChoice}
            aria-describedby={`${id}-token-help`}
            onChange={(e) => setTokenChoice(e.target.value)}
          >
            <option value="">Choose a token…</option>
            {liveTokens.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
                {t.last_four === null ? '' : ` (…${t.last_four})`}
              </option>
            ))}
            <option value="other">Another member&apos;s token (enter its id)</option>
          </select>
          <p id={`${id}-token-help`} className="hint">
            Your own tokens are listed. For another member&apos;s token, ask them for its id (on
            their Sessions and tokens page).
          </p>
          {tokenChoice === 'other' ? (
            <>
              <label htmlFor={`${id}-token-id`}>Token id</label>
              <input
                id={`${id}-token-id`}
                autoComplete="off"
                value={otherToken}
                onChange={(e) => setOtherToken(e.target.value)}
              />
            </>
          ) : null}
        </>
      ) : null}
      <label htmlFor={`${id}-period`}>Period</label>
      <select
        id={`${id}-period`}
        value={period}
        onChange={(e) => setPeriod(e.target.value as BudgetPeriod)}
      >
        <option value="month">{PERIOD_NAMES.month}</option>
        <option value="day">{PERIOD_NAMES.day}</option>
      </select>
      <LimitFields id={id} hard={hard} soft={soft} setHard={setHard} setSoft={setSoft} />
      <button type="submit" disabled={save.busy}>
        {save.busy ? 'Adding…' : 'Add budget'}
      </button>
      <ErrorLine id={`${id}-error`} error={save.error} />
      <p role="status">{done ?? ''}</p>
    </form>
  );
}

export function EditBudgetForm(props: {
  readonly ws: string;
  readonly budget: Budget;
  readonly subject: string;
  readonly saved: () => void;
  readonly cancel: () => void;
}): ReactNode {
  const id = useId();
  const [hard, setHard] = useState(usdField(props.budget.hard_limit_micros));
  const [soft, setSoft] = useState(
    props.budget.soft_limit_micros === null ? '' : usdField(props.budget.soft_limit_micros),
  );
  const save = useBudgetSubmit(async () => {
    const limits = limitsOf(hard, soft);
    await updateBudget(props.ws, props.budget.id, {
      hard_limit_micros: limits.hard,
      soft_limit_micros: limits.soft,
    });
    props.saved();
  });
  const title = `Change the limits of ${props.subject}, ${PERIOD_NAMES[props.budget.period].toLowerCase()}`;
  return (
    <form className="panel" noValidate onSubmit={save.submit} aria-label={title}>
      <h2>{title}</h2>
      <LimitFields id={id} hard={hard} soft={soft} setHard={setHard} setSoft={setSoft} />
      <span className="actions">
        <button type="submit" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save limits'}
        </button>
        <button type="button" className="secondary" onClick={props.cancel}>
          Cancel
        </button>
      </span>
      <ErrorLine id={`${id}-error`} error={save.error} />
    </form>
  );
}
