/** What every form in the console shares: a busy flag, an error sentence, the error line. */
import { useState, type ReactNode, type SyntheticEvent } from 'react';
import { ApiError } from '../api/client';
import { describeError } from '../errors';

export interface Submit {
  readonly busy: boolean;
  readonly error: string | undefined;
  /** Runs the action for a form's submit event (or a button's click). */
  readonly submit: (event?: SyntheticEvent) => void;
}

/**
 * `sentences` words an error code the way this form means it (a `conflict`
 * on an invitation is "already a member"); other codes use describeError.
 */
export function useSubmit(
  action: () => Promise<void>,
  sentences?: Readonly<Record<string, string>>,
): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = (event?: SyntheticEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(undefined);
    action()
      .catch((e: unknown) =>
        setError((e instanceof ApiError ? sentences?.[e.code] : undefined) ?? describeError(e)),
      )
      .finally(() => setBusy(false));
  };
  return { busy, error, submit };
}

/** An alert line under a form; present (empty) even without an error so fields can point at it. */
export function ErrorLine(props: {
  readonly id: string;
  readonly error: string | undefined;
}): ReactNode {
  return (
    <p id={props.id} className="error" role="alert">
      {props.error ?? ''}
    </p>
  );
}

/**
 * The emailed code's field: its label, the one-time-code input and its
 * error line (`${id}-code`, `${id}-error`), as sign-in and the opt-out ask it.
 */
export function CodeField(props: {
  readonly id: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error: string | undefined;
}): ReactNode {
  return (
    <>
      <label htmlFor={`${props.id}-code`}>Code</label>
      <input
        id={`${props.id}-code`}
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        required
        aria-invalid={props.error !== undefined}
        aria-describedby={`${props.id}-error`}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <ErrorLine id={`${props.id}-error`} error={props.error} />
    </>
  );
}
