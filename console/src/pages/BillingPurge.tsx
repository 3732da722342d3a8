/**
 * The automatic post-cancellation purge on the Billing page: what it does,
 * the owner's choice (on, off, or the operator's default), and, when a purge
 * is pending, its date with the warning that reactivating the subscription
 * (or turning the purge off) cancels it. Admins see it; only owners change
 * it (the server refuses others).
 */
import { useId, useState, type ReactNode } from 'react';
import { setPurge, type Purge } from '../api/billing';
import { describeError } from '../errors';
import { ErrorLine } from '../ui/forms';

type Choice = 'default' | 'on' | 'off';

const choiceOf = (enabled: boolean | null): Choice =>
  enabled === null ? 'default' : enabled ? 'on' : 'off';
const enabledOf = (choice: Choice): boolean | null =>
  choice === 'default' ? null : choice === 'on';

export function PurgeSection(props: {
  readonly workspaceId: string;
  readonly purge: Purge;
  readonly canChange: boolean;
}): ReactNode {
  const id = useId();
  const [purge, setView] = useState(props.purge);
  const [choice, setChoice] = useState<Choice>(choiceOf(props.purge.enabled));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const save = (next: Choice) => {
    setChoice(next);
    setBusy(true);
    setError(undefined);
    setPurge(props.workspaceId, enabledOf(next))
      .then(setView, (e: unknown) => {
        setChoice(choiceOf(purge.enabled));
        setError(describeError(e));
      })
      .finally(() => setBusy(false));
  };
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Automatic deletion after cancellation</h2>
      <p>
        When this is on and the subscription is cancelled, the workspace is deleted {purge.days}{' '}
        days later: crypto-shredded (its data can never be read again) and its stored files deleted.
        Owners are emailed 7 days and 1 day before, and receive the signed receipt.
      </p>
      <Pending purge={purge} />
      <fieldset disabled={!props.canChange || busy} aria-describedby={`${id}-error`}>
        <legend>Delete this workspace automatically after cancellation</legend>
        {(['default', 'on', 'off'] as const).map((c) => (
          <label key={c} className="choice">
            <input
              type="radio"
              name={`${id}-purge`}
              value={c}
              checked={choice === c}
              onChange={() => save(c)}
            />
            {c === 'default'
              ? `Operator default (${purge.default_on ? 'on' : 'off'})`
              : c === 'on'
                ? 'On'
                : 'Off'}
          </label>
        ))}
      </fieldset>
      {!props.canChange && <p>Only an owner can change this.</p>}
      <p data-testid="purge-effective">
        Automatic deletion is {purge.effective ? 'on' : 'off'} for this workspace.
      </p>
      <ErrorLine id={`${id}-error`} error={error} />
    </section>
  );
}

function Pending(props: { readonly purge: Purge }): ReactNode {
  const { purge } = props;
  if (purge.state !== 'scheduled' || purge.due_at === null) return null;
  return (
    <div className="warning" role="status" data-testid="purge-pending">
      <p>
        <strong>
          This workspace will be deleted on{' '}
          <time dateTime={purge.due_at}>{new Date(purge.due_at).toLocaleString()}</time>.
        </strong>
      </p>
      <p>
        Reactivating the subscription cancels the deletion, and so does turning automatic deletion
        off below. Export what you want to keep before that date.
      </p>
    </div>
  );
}
