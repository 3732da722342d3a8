/**
 * The privacy requests of the workspace, with their deadlines: a table with
 * the next steps each request allows, a reason form for a denial or an
 * extension, and "Create request". Owners also start the export that
 * answers an access request in progress ("Export for this request"); the
 * export completes the request when it is done.
 */
import { useId, useState, type ReactNode } from 'react';
import {
  extendRequest,
  listRequests,
  moveRequest,
  type PrivacyRequest,
  type RequestState,
} from '../api/privacy-requests';
import { startExport } from '../api/exports';
import { describeError } from '../errors';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { PrivacyRequestForm } from './privacy-request-form';
import { DeletionRequestForm } from './deletion-request-form';

const STATE_NAMES: Readonly<Record<RequestState, string>> = {
  received: 'Received',
  identity_verified: 'Identity verified',
  in_progress: 'In progress',
  completed: 'Completed',
  denied: 'Denied',
  cancelled: 'Cancelled',
};

/** The buttons of each open state (a denial goes through the reason form). */
const NEXT: Readonly<Record<RequestState, readonly { to: RequestState; label: string }[]>> = {
  received: [{ to: 'identity_verified', label: 'Mark identity verified' }],
  identity_verified: [{ to: 'in_progress', label: 'Start work' }],
  in_progress: [{ to: 'completed', label: 'Mark completed' }],
  completed: [],
  denied: [],
  cancelled: [],
};

const isOpen = (r: PrivacyRequest) => NEXT[r.state].length > 0;

export function PrivacyRequests(props: {
  readonly ws: string;
  /** Owners: "Export for this request" on an access request in progress. */
  readonly owner?: boolean;
  /** Changed by the page to read the requests again (an export completed one). */
  readonly refresh?: number;
  /** An export was started for a request. */
  readonly exported?: () => void;
}): ReactNode {
  const load = useLoad(() => listRequests(props.ws), `${props.ws}:${String(props.refresh ?? 0)}`);
  const [pending, setPending] = useState<{ id: string; action: Ask } | undefined>();
  return (
    <>
      <h2>Data subject requests</h2>
      <Loaded load={load} label="the privacy requests">
        {(requests) => (
          <>
            <RequestTable
              ws={props.ws}
              requests={requests}
              changed={load.reload}
              ask={(id, action) => setPending({ id, action })}
              owner={props.owner === true}
              exported={props.exported}
            />
            {pending === undefined ? null : pending.action === 'delete' ? (
              <ConfirmDeletion
                ws={props.ws}
                request={requests.find((r) => r.id === pending.id)}
                done={() => {
                  setPending(undefined);
                  load.reload();
                }}
              />
            ) : (
              <ReasonForm
                key={`${pending.id}-${pending.action}`}
                ws={props.ws}
                request={requests.find((r) => r.id === pending.id)}
                action={pending.action}
                done={() => {
                  setPending(undefined);
                  load.reload();
                }}
              />
            )}
          </>
        )}
      </Loaded>
      <PrivacyRequestForm ws={props.ws} created={load.reload} />
    </>
  );
}

type Ask = 'deny' | 'extend' | 'delete';

function ConfirmDeletion(props: {
  readonly ws: string;
  readonly request: PrivacyRequest | undefined;
  readonly done: () => void;
}): ReactNode {
  if (props.request === undefined) return null;
  return <DeletionRequestForm ws={props.ws} request={props.request} done={props.done} />;
}

function subjectOf(r: PrivacyRequest): string {
  return r.subject.name ?? r.subject.email ?? r.subject.user_id ?? '—';
}

function RequestTable(props: {
  readonly ws: string;
  readonly requests: readonly PrivacyRequest[];
  readonly changed: () => void;
  readonly ask: (id: string, action: Ask) => void;
  readonly owner: boolean;
  readonly exported: (() => void) | undefined;
}): ReactNode {
  const id = useId();
  const [error, setError] = useState<string | undefined>();
  const [started, setStarted] = useState<ReadonlySet<string>>(new Set());
  if (props.requests.length === 0) {
    return <p className="empty">No privacy requests yet.</p>;
  }
  const act = (r: PrivacyRequest, to: RequestState) => {
    setError(undefined);
    moveRequest(props.ws, r.id, to).then(props.changed, (e: unknown) => setError(describeError(e)));
  };
  const exportFor = (r: PrivacyRequest) => {
    setError(undefined);
    startExport(props.ws, { scope: 'workspace', form: 'readable', request_id: r.id }).then(
      () => {
        setStarted((s) => new Set([...s, r.id]));
        props.exported?.();
      },
      (e: unknown) => setError(describeError(e)),
    );
  };
  return (
    <>
      <table className="privacy-requests">
        <caption className="visually-hidden">Privacy requests, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Requester</th>
            <th scope="col">Type</th>
            <th scope="col">Law</th>
            <th scope="col">Due</th>
            <th scope="col">State</th>
            <th scope="col">Next step</th>
          </tr>
        </thead>
        <tbody>
          {props.requests.map((r) => (
            <tr key={r.id}>
              <td>{subjectOf(r)}</td>
              <td>{r.type.replace('_', '-')}</td>
              <td>{r.law.name}</td>
              <td>
                <time dateTime={r.effective_due_on}>{r.effective_due_on}</time>
                {r.extended_due_on === null ? '' : ' (extended)'}
                {r.overdue ? <strong className="error"> overdue</strong> : null}
              </td>
              <td>
                {STATE_NAMES[r.state]}
                {r.denial_reason === null ? null : (
                  <span className="hint"> ({r.denial_reason})</span>
                )}
              </td>
              <td>
                {isOpen(r) ? (
                  <span className="actions">
                    {props.owner && r.type === 'access' && r.state === 'in_progress' ? (
                      <button
                        type="button"
                        disabled={started.has(r.id)}
                        onClick={() => exportFor(r)}
                      >
                        {started.has(r.id) ? 'Export started' : 'Export for this request'}
                      </button>
                    ) : null}
                    {NEXT[r.state].map((n) =>
                      r.type === 'deletion' && n.to === 'in_progress' ? (
                        <button key={n.to} type="button" onClick={() => props.ask(r.id, 'delete')}>
                          Confirm the deletion…
                        </button>
                      ) : (
                        <button key={n.to} type="button" onClick={() => act(r, n.to)}>
                          {n.label}
                        </button>
                      ),
                    )}
                    <button type="button" className="secondary" onClick={() => act(r, 'cancelled')}>
                      Cancel request
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => props.ask(r.id, 'deny')}
                    >
                      Deny…
                    </button>
                    {r.extended_due_on === null ? (
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => props.ask(r.id, 'extend')}
                      >
                        Extend…
                      </button>
                    ) : null}
                  </span>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorLine id={`${id}-error`} error={error} />
    </>
  );
}

function ReasonForm(props: {
  readonly ws: string;
  readonly request: PrivacyRequest | undefined;
  readonly action: Ask;
  readonly done: () => void;
}): ReactNode {
  const id = useId();
  const [reason, setReason] = useState('');
  const { request } = props;
  const send = useSubmit(async () => {
    if (request === undefined) return;
    if (props.action === 'deny') await moveRequest(props.ws, request.id, 'denied', reason);
    else await extendRequest(props.ws, request.id, reason);
    props.done();
  });
  if (request === undefined) return null;
  const title =
    props.action === 'deny'
      ? `Deny the ${request.type} request of ${subjectOf(request)}`
      : `Extend the deadline of the ${request.type} request of ${subjectOf(request)}`;
  return (
    <form
      className="panel"
      onSubmit={send.submit}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-help ${id}-error`}
    >
      <h3 id={`${id}-title`}>{title}</h3>
      <label htmlFor={`${id}-reason`}>Reason</label>
      <input
        id={`${id}-reason`}
        required
        maxLength={500}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <p id={`${id}-help`} className="hint">
        {props.action === 'extend'
          ? 'Extends to the longest the law allows, once, before the first deadline. Tell the requester why.'
          : 'Recorded with the request.'}{' '}
        Stored in plain text: say why, not who.
      </p>
      <span className="actions">
        <button type="submit" disabled={send.busy}>
          {props.action === 'deny' ? 'Deny request' : 'Extend deadline'}
        </button>
        <button type="button" className="secondary" onClick={props.done}>
          Back
        </button>
      </span>
      <ErrorLine id={`${id}-error`} error={send.error} />
    </form>
  );
}
