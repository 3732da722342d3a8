/** What every form in the console shares: a busy flag, an error sentence, the error line. */
import { useState, type ReactNode, type SyntheticEvent } from 'react';
import { describeError } from '../errors';

export interface Submit {
  readonly busy: boolean;
  readonly error: string | undefined;
  /** Runs the action for a form's submit event (or a button's click). */
  readonly submit: (event?: SyntheticEvent) => void;
}

export function useSubmit(action: () => Promise<void>): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = (event?: SyntheticEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(undefined);
    action()
      .catch((e: unknown) => setError(describeError(e)))
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
