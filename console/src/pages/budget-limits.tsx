/** The workspace's per-minute LLM limits: requests and tokens, empty for no limit. */
import { useId, useState, type ReactNode } from 'react';
import { putLimits, type RateLimits } from '../api/budgets';
import { ErrorLine, useSubmit } from '../ui/forms';

const fieldOf = (n: number | null): string => (n === null ? '' : String(n));

/** '' → null; a whole number → it; anything else → undefined (refused). */
function countOf(text: string, max: number): number | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 1 && n <= max ? n : undefined;
}

export function RateLimitsForm(props: {
  readonly ws: string;
  readonly limits: RateLimits;
}): ReactNode {
  const id = useId();
  const [requests, setRequests] = useState(fieldOf(props.limits.requests_per_minute));
  const [tokens, setTokens] = useState(fieldOf(props.limits.tokens_per_minute));
  const [saved, setSaved] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const bounds =
    'Requests per minute is a whole number from 1 to 1,000,000 and tokens per minute from 1 to 1,000,000,000; leave a field empty for no limit.';
  const save = useSubmit(
    async () => {
      setSaved(undefined);
      setProblem(undefined);
      const rpm = countOf(requests, 1_000_000);
      const tpm = countOf(tokens, 1_000_000_000);
      if (rpm === undefined || tpm === undefined) {
        setProblem(bounds);
        return;
      }
      const now = await putLimits(props.ws, { requests_per_minute: rpm, tokens_per_minute: tpm });
      setRequests(fieldOf(now.requests_per_minute));
      setTokens(fieldOf(now.tokens_per_minute));
      setSaved('Limits saved.');
    },
    { validation_failed: bounds },
  );
  return (
    <form className="panel" noValidate onSubmit={save.submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Rate limits</h2>
      <p id={`${id}-help`}>
        Per minute, for every LLM call in this workspace. Tokens count each call&apos;s worst case
        (its input and its maximum output). Leave a field empty for no limit.
      </p>
      <label htmlFor={`${id}-rpm`}>Requests per minute</label>
      <input
        id={`${id}-rpm`}
        inputMode="numeric"
        autoComplete="off"
        value={requests}
        aria-describedby={`${id}-help ${id}-error`}
        onChange={(e) => setRequests(e.target.value)}
      />
      <label htmlFor={`${id}-tpm`}>Tokens per minute</label>
      <input
        id={`${id}-tpm`}
        inputMode="numeric"
        autoComplete="off"
        value={tokens}
        aria-describedby={`${id}-help ${id}-error`}
        onChange={(e) => setTokens(e.target.value)}
      />
      <button type="submit" disabled={save.busy}>
        {save.busy ? 'Saving…' : 'Save rate limits'}
      </button>
      <ErrorLine id={`${id}-error`} error={problem ?? save.error} />
      <p role="status">{saved ?? ''}</p>
    </form>
  );
}
