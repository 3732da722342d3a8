/**
 * A list of exports with their state and progress, a Download link once
 * completed, and the button that starts one: the workspace export (owners,
 * with the form chosen) on Data residency, the personal export on My data.
 * While an export is queued or running the list is read again every
 * second; `onCompleted` is told when one finishes (so the access request it
 * answers can be shown completed).
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import {
  isRunning,
  listExports,
  startExport,
  type ExportForm,
  type ExportRecord,
  type ExportScope,
} from '../api/exports';
import { describeError } from '../errors';
import { ErrorLine, useSubmit } from '../ui/forms';

const STATE_NAMES: Readonly<Record<ExportRecord['state'], string>> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
};

/** The exports of one scope, read now and every second while one runs. */
function useExports(
  ws: string,
  scope: ExportScope,
  refresh: number,
  onCompleted: (() => void) | undefined,
) {
  const [items, setItems] = useState<readonly ExportRecord[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [tick, setTick] = useState(0);
  const running = useRef(new Set<string>());
  const completed = useRef(onCompleted);
  useEffect(() => {
    completed.current = onCompleted;
  });
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    listExports(ws).then(
      (all) => {
        if (!live) return;
        const mine = all.filter((e) => e.scope === scope);
        const finished = mine.some((e) => running.current.has(e.id) && !isRunning(e));
        running.current = new Set(mine.filter(isRunning).map((e) => e.id));
        setItems(mine);
        setError(undefined);
        if (finished) completed.current?.();
        if (running.current.size > 0) timer = setTimeout(() => setTick((n) => n + 1), 1000);
      },
      (e: unknown) => live && setError(describeError(e)),
    );
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [ws, scope, refresh, tick]);
  return { items, error, reload: () => setTick((n) => n + 1) };
}

function rows(e: ExportRecord): number {
  return Object.values(e.counts ?? e.progress).reduce((a, b) => a + b, 0);
}

function size(bytes: number | null): string {
  if (bytes === null) return '';
  return bytes < 1024 * 1024
    ? `${String(Math.max(1, Math.round(bytes / 1024)))} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function ExportsPanel(props: {
  readonly ws: string;
  readonly scope: ExportScope;
  /** Bumped by the page when it started an export elsewhere (for an access request). */
  readonly refresh?: number;
  readonly onCompleted?: () => void;
}): ReactNode {
  const id = useId();
  const list = useExports(props.ws, props.scope, props.refresh ?? 0, props.onCompleted);
  const [form, setForm] = useState<ExportForm>('readable');
  const start = useSubmit(async () => {
    await startExport(
      props.ws,
      props.scope === 'workspace' ? { scope: 'workspace', form } : { scope: 'personal' },
    );
    list.reload();
  });
  const workspace = props.scope === 'workspace';
  return (
    <div className="panel">
      <h2 id={`${id}-title`}>{workspace ? 'Workspace exports' : 'Export my data'}</h2>
      <p>
        {workspace
          ? 'Everything in this workspace: members, workrooms, conversations, messages and the audit log, as a zip of JSON. The snapshot keeps content sealed as stored; the readable form opens it.'
          : 'What you wrote here and what this workspace records about you: your profile, your messages, the conversations you took part in, your API tokens and your actions in the audit log, readable, as a zip of JSON.'}{' '}
        The export runs in the background; the download link is also emailed to you and works for 7
        days.
      </p>
      <form onSubmit={start.submit} aria-describedby={`${id}-error`}>
        {workspace ? (
          <>
            <label htmlFor={`${id}-form`}>Form</label>
            <select
              id={`${id}-form`}
              value={form}
              onChange={(e) => setForm(e.target.value as ExportForm)}
            >
              <option value="readable">Readable (content opened)</option>
              <option value="snapshot">Snapshot (content sealed)</option>
            </select>
          </>
        ) : null}
        <button type="submit" disabled={start.busy}>
          {workspace ? 'Export the workspace' : 'Export my data'}
        </button>
        <ErrorLine id={`${id}-error`} error={start.error ?? list.error} />
      </form>
      <ExportTable items={list.items} workspace={workspace} />
    </div>
  );
}

function ExportTable(props: {
  readonly items: readonly ExportRecord[] | undefined;
  readonly workspace: boolean;
}): ReactNode {
  if (props.items === undefined) return <p role="status">Loading the exports…</p>;
  if (props.items.length === 0) return <p className="empty">No exports yet.</p>;
  return (
    <table className="exports">
      <caption className="visually-hidden">Exports, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Started</th>
          {props.workspace ? <th scope="col">Form</th> : null}
          <th scope="col">State</th>
          <th scope="col">File</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((e) => (
          <tr key={e.id} data-export-id={e.id}>
            <td>
              <time dateTime={e.created_at}>{new Date(e.created_at).toLocaleString()}</time>
            </td>
            {props.workspace ? (
              <td>
                {e.form}
                {e.request_id === null ? null : <span className="hint"> (access request)</span>}
              </td>
            ) : null}
            <td role="status">
              {STATE_NAMES[e.state]}
              {e.state === 'failed' ? ` (${e.error_code ?? 'error'})` : ''}
              {e.state === 'running' ? ` — ${String(rows(e))} rows written` : ''}
            </td>
            <td>
              {e.download_url === null ? (
                e.state === 'completed' ? (
                  'Expired'
                ) : (
                  '—'
                )
              ) : (
                <>
                  <a href={e.download_url} download={e.file_name ?? true}>
                    Download
                  </a>{' '}
                  <span className="hint">
                    {size(e.size)}, {String(rows(e))} rows
                  </span>
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
