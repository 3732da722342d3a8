/**
 * Confirming a deletion request (owners): whether the requester has an
 * account here and an access export, then the requester's email typed.
 * With an account, their deletion is scheduled after the cooling-off
 * period; without one, nothing is deleted and the answer says what to do.
 */
import { useId, useState, type ReactNode } from 'react';
import {
  confirmRequestDeletion,
  requestDeletionPlan,
  type PrivacyRequest,
} from '../api/privacy-requests';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';

const SENTENCES: Readonly<Record<string, string>> = {
  confirmation_mismatch: 'The email typed is not the requester’s.',
  last_owner:
    'The requester is the last owner of this workspace: make someone else an owner first.',
  forbidden: 'Only an owner can confirm a deletion.',
};

export function DeletionRequestForm(props: {
  readonly ws: string;
  readonly request: PrivacyRequest;
  readonly done: () => void;
}): ReactNode {
  const id = useId();
  const load = useLoad(
    () => requestDeletionPlan(props.ws, props.request.id),
    `${props.ws}:${props.request.id}`,
  );
  const [typed, setTyped] = useState('');
  const [answer, setAnswer] = useState<string | undefined>();
  const send = useSubmit(async () => {
    const res = await confirmRequestDeletion(props.ws, props.request.id, typed);
    setAnswer(
      res.deletion === null
        ? (res.note ?? 'Nothing was scheduled.')
        : `The deletion is scheduled: it runs after ${res.deletion.runs_after}. Deny or cancel the request to stop it.`,
    );
  }, SENTENCES);
  return (
    <form className="panel" onSubmit={send.submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Confirm the deletion request</h3>
      <Loaded load={load} label="what the deletion will do">
        {(plan) => (
          <p>
            {plan.subject.is_user
              ? `The requester has an account here: it is deleted after ${String(plan.cooling_off_days)} days, unless the request is denied or cancelled first.`
              : 'The requester has no account here: nothing will be deleted by this confirmation.'}{' '}
            {plan.access_export.exists
              ? 'An access export of theirs exists.'
              : 'No access export of theirs exists yet.'}
          </p>
        )}
      </Loaded>
      {answer === undefined ? (
        <>
          <label htmlFor={`${id}-confirm`}>Type the requester’s email address to confirm</label>
          <input
            id={`${id}-confirm`}
            type="email"
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
          <span className="actions">
            <button type="submit" className="danger" disabled={send.busy}>
              Confirm the deletion
            </button>
            <button type="button" className="secondary" onClick={props.done}>
              Back
            </button>
          </span>
        </>
      ) : (
        <>
          <p role="status">{answer}</p>
          <button type="button" onClick={props.done}>
            Done
          </button>
        </>
      )}
      <ErrorLine id={`${id}-error`} error={send.error} />
    </form>
  );
}
