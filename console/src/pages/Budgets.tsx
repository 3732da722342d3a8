/**
 * Budgets (admins): the workspace's LLM budgets with this window's spend,
 * adding one (the workspace, a member or an API token; per UTC day or
 * month; hard and soft limits in USD), changing limits, deleting; the
 * per-minute rate limits; and the keys the velocity tripwire suspended,
 * which owners resume (admins see them read-only).
 */
import { useState, type ReactNode } from 'react';
import type { Membership } from '../api/account';
import { deleteBudget, getLimits, listBudgets, listSuspensions, type Budget } from '../api/budgets';
import { listCredentials } from '../api/credentials';
import { listMembers } from '../api/members';
import { listTokens } from '../api/tokens';
import { hasRole } from '../roles';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { formatUsd } from '../usd';
import { useWorkspace } from '../workspace';
import { CreateBudgetForm, EditBudgetForm } from './budget-form';
import { RateLimitsForm } from './budget-limits';
import { PERIOD_NAMES, subjectOf, type Subjects } from './budget-subjects';
import { Suspensions } from './budget-suspensions';

export function BudgetsPage(): ReactNode {
  const { current } = useWorkspace();
  if (current === undefined) return null;
  return <Budgets key={current.workspace_id} membership={current} />;
}

async function loadBudgets(
  ws: string,
): Promise<{ budgets: readonly Budget[]; subjects: Subjects }> {
  const [budgets, members, tokens] = await Promise.all([
    listBudgets(ws),
    listMembers(ws),
    listTokens(ws),
  ]);
  return { budgets, subjects: { members, tokens } };
}

function Budgets(props: { readonly membership: Membership }): ReactNode {
  const ws = props.membership.workspace_id;
  const owner = hasRole(props.membership, 'owner');
  const budgets = useLoad(() => loadBudgets(ws), ws);
  const limits = useLoad(() => getLimits(ws), ws);
  const suspensions = useLoad(
    async () => ({ items: await listSuspensions(ws), credentials: await listCredentials(ws) }),
    ws,
  );
  return (
    <section aria-labelledby="budgets-title">
      <h1 id="budgets-title">Budgets</h1>
      <p>
        Limits on what LLM calls in {props.membership.workspace_name} may cost. Every budget that
        applies to a call must have room for its worst case, or the call is refused before it is
        sent. Amounts are US dollars.
      </p>
      <h2>Budgets</h2>
      <Loaded load={budgets} label="budgets">
        {(data) => (
          <>
            <BudgetTable ws={ws} {...data} changed={budgets.reload} />
            <CreateBudgetForm ws={ws} subjects={data.subjects} created={budgets.reload} />
          </>
        )}
      </Loaded>
      <Loaded load={limits} label="the rate limits">
        {(data) => <RateLimitsForm ws={ws} limits={data} />}
      </Loaded>
      <h2>Suspended keys</h2>
      <p>
        A key whose spend in five minutes is far above this workspace&apos;s normal rate is
        suspended, and owners are emailed. Calls with it are refused until an owner resumes it.
      </p>
      <Loaded load={suspensions} label="suspended keys">
        {(data) => (
          <Suspensions
            ws={ws}
            items={data.items}
            credentials={data.credentials}
            owner={owner}
            changed={suspensions.reload}
          />
        )}
      </Loaded>
    </section>
  );
}

function BudgetTable(props: {
  readonly ws: string;
  readonly budgets: readonly Budget[];
  readonly subjects: Subjects;
  readonly changed: () => void;
}): ReactNode {
  const [editing, setEditing] = useState<string | undefined>();
  if (props.budgets.length === 0) {
    return (
      <p className="empty">No budgets yet: LLM calls are not limited by cost. Add one below.</p>
    );
  }
  const selected = props.budgets.find((b) => b.id === editing);
  return (
    <>
      <table>
        <caption className="visually-hidden">Budgets of this workspace</caption>
        <thead>
          <tr>
            <th scope="col">Applies to</th>
            <th scope="col">Period</th>
            <th scope="col">Hard limit</th>
            <th scope="col">Soft limit</th>
            <th scope="col">Spent this window</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.budgets.map((b) => (
            <BudgetRow
              key={b.id}
              ws={props.ws}
              budget={b}
              subject={subjectOf(b, props.subjects)}
              edit={() => setEditing(b.id)}
              changed={props.changed}
            />
          ))}
        </tbody>
      </table>
      {selected === undefined ? null : (
        <EditBudgetForm
          key={selected.id}
          ws={props.ws}
          budget={selected}
          subject={subjectOf(selected, props.subjects)}
          saved={() => {
            setEditing(undefined);
            props.changed();
          }}
          cancel={() => setEditing(undefined)}
        />
      )}
    </>
  );
}

function BudgetRow(props: {
  readonly ws: string;
  readonly budget: Budget;
  readonly subject: string;
  readonly edit: () => void;
  readonly changed: () => void;
}): ReactNode {
  const b = props.budget;
  const [confirming, setConfirming] = useState(false);
  const name = `${props.subject}, ${PERIOD_NAMES[b.period].toLowerCase()}`;
  const errorId = `budget-error-${b.id}`;
  const remove = useSubmit(
    async () => {
      await deleteBudget(props.ws, b.id);
      props.changed();
    },
    { not_found: 'That budget was already deleted. Reload to see the list as it is now.' },
  );
  const reserved = b.spent_micros - b.settled_micros;
  return (
    <tr>
      <td>{props.subject}</td>
      <td>{PERIOD_NAMES[b.period]}</td>
      <td>{formatUsd(b.hard_limit_micros)}</td>
      <td>{b.soft_limit_micros === null ? 'None' : formatUsd(b.soft_limit_micros)}</td>
      <td>
        {formatUsd(b.spent_micros)}
        {reserved > 0 ? (
          <span className="hint"> (of which {formatUsd(reserved)} in calls under way)</span>
        ) : null}
      </td>
      <td>
        {confirming ? (
          <span className="actions">
            <button
              type="button"
              disabled={remove.busy}
              aria-describedby={errorId}
              onClick={() => remove.submit()}
            >
              {remove.busy ? 'Deleting…' : 'Yes, delete'}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <span className="actions">
            <button
              type="button"
              className="secondary"
              aria-label={`Change limits of ${name}`}
              onClick={props.edit}
            >
              Change limits
            </button>
            <button
              type="button"
              className="secondary"
              aria-label={`Delete ${name}`}
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          </span>
        )}
        <ErrorLine id={errorId} error={remove.error} />
      </td>
    </tr>
  );
}
