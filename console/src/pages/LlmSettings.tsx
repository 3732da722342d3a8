/**
 * Settings → LLM settings (admins): the workspace's LLM response cache.
 * Off by default; when on, an identical request (same model, same body) is
 * answered from the cache for the time to live. Entries are keyed and
 * sealed per workspace, so nothing is ever shared with another workspace.
 * "Flush" makes every cached answer unreachable at once; turning the cache
 * off does the same.
 */
import { useId, useState, type ReactNode } from 'react';
import {
  flushCache,
  getCacheSettings,
  MAX_TTL_SECONDS,
  MIN_TTL_SECONDS,
  setCacheSettings,
  type CacheSettings,
} from '../api/llm-settings';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { useWorkspace } from '../workspace';

export function LlmSettingsPage(): ReactNode {
  const { current } = useWorkspace();
  const ws = current?.workspace_id ?? '';
  const settings = useLoad(() => getCacheSettings(ws), ws);
  return (
    <section aria-labelledby="llm-settings-title">
      <h1 id="llm-settings-title">LLM settings</h1>
      <h2>Response cache</h2>
      <p>
        When the cache is on, a request identical to an earlier one (same model, same messages, same
        parameters) is answered from the cache instead of calling the provider again. Cached answers
        belong to this workspace only: they are keyed with this workspace’s secret salt and
        encrypted with its data key.
      </p>
      <Loaded load={settings} label="the cache settings">
        {(data) => <CacheForm ws={ws} settings={data} />}
      </Loaded>
    </section>
  );
}

/** Each answer of the API (the settings as saved) updates the form in place, without a reload. */
function CacheForm(props: { readonly ws: string; readonly settings: CacheSettings }): ReactNode {
  const id = useId();
  const [enabled, setEnabled] = useState(props.settings.enabled);
  const [ttl, setTtl] = useState(String(props.settings.ttl_seconds));
  const [saved, setSaved] = useState<string | undefined>();
  const save = useSubmit(
    async () => {
      setSaved(undefined);
      const now = await setCacheSettings(props.ws, { enabled, ttl_seconds: Number(ttl) });
      setEnabled(now.enabled);
      setTtl(String(now.ttl_seconds));
      setSaved(now.enabled ? 'Saved. The cache is on.' : 'Saved. The cache is off.');
    },
    {
      validation_failed: `The time to live must be a whole number of seconds from ${String(MIN_TTL_SECONDS)} to ${String(MAX_TTL_SECONDS)} (seven days).`,
    },
  );
  const flush = useSubmit(async () => {
    setSaved(undefined);
    await flushCache(props.ws);
    setSaved('Flushed. Every answer cached so far is now unreachable.');
  });
  return (
    <>
      {/* noValidate: the server checks the bounds and its answer becomes a sentence here. */}
      <form className="panel" noValidate onSubmit={save.submit} aria-describedby={`${id}-error`}>
        <label htmlFor={`${id}-enabled`}>
          <input
            id={`${id}-enabled`}
            type="checkbox"
            checked={enabled}
            onChange={(e) => setEnabled(e.target.checked)}
          />{' '}
          Cache identical requests
        </label>
        <label htmlFor={`${id}-ttl`}>Keep cached answers for (seconds)</label>
        <input
          id={`${id}-ttl`}
          type="number"
          inputMode="numeric"
          min={MIN_TTL_SECONDS}
          max={MAX_TTL_SECONDS}
          step={1}
          required
          value={ttl}
          aria-describedby={`${id}-ttl-help ${id}-error`}
          onChange={(e) => setTtl(e.target.value)}
        />
        <p id={`${id}-ttl-help`}>
          From {MIN_TTL_SECONDS} second to {MAX_TTL_SECONDS} seconds (seven days). Turning the cache
          off also forgets everything cached so far.
        </p>
        <button type="submit" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save'}
        </button>
        <ErrorLine id={`${id}-error`} error={save.error} />
      </form>
      <div className="panel">
        <h3>Flush the cache</h3>
        <p id={`${id}-flush-help`}>
          Makes every answer cached so far unreachable, at once, in every server. New requests fill
          the cache again.
        </p>
        <button
          type="button"
          disabled={flush.busy}
          aria-describedby={`${id}-flush-help ${id}-flush-error`}
          onClick={() => flush.submit()}
        >
          {flush.busy ? 'Flushing…' : 'Flush the cache'}
        </button>
        <ErrorLine id={`${id}-flush-error`} error={flush.error} />
      </div>
      <p role="status">{saved ?? ''}</p>
    </>
  );
}
