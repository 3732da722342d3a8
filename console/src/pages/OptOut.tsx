/**
 * The public opt-out page (`/privacy/optout`, no sign-in): a person asks for
 * their address to be deleted from every workspace's contacts. Email, then
 * the emailed code, then the confirmation with the date by which every
 * record is gone. The server answers the first step the same for every
 * address, so the page never says whether any workspace holds it.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import { confirmOptOut, startOptOut } from '../api/privacy';
import { CodeField, ErrorLine, useSubmit } from '../ui/forms';

export const OPTOUT_PATH = '/privacy/optout';

type Step =
  | { readonly kind: 'email' }
  | { readonly kind: 'code'; readonly email: string }
  | { readonly kind: 'done'; readonly deleteBy: string };

export function OptOutPage(): ReactNode {
  const [step, setStep] = useState<Step>({ kind: 'email' });
  useEffect(() => {
    document.title = 'Opt out · Wardroom';
  }, []);
  return (
    <main className="sign-in">
      <h1>Opt out of being a contact</h1>
      {step.kind === 'email' ? (
        <EmailStep onSent={(email) => setStep({ kind: 'code', email })} />
      ) : step.kind === 'code' ? (
        <CodeStep
          email={step.email}
          onDone={(deleteBy) => setStep({ kind: 'done', deleteBy })}
          onRestart={() => setStep({ kind: 'email' })}
        />
      ) : (
        <section aria-labelledby="optout-done" role="status">
          <h2 id="optout-done">Your opt-out is confirmed</h2>
          <p>
            No workspace on this service can add your address as a contact from now on, and every
            contact record with it is deleted by{' '}
            <strong>{new Date(step.deleteBy).toISOString().slice(0, 10)}</strong> at the latest. A
            confirmation is on its way to your inbox.
          </p>
        </section>
      )}
    </main>
  );
}

function EmailStep(props: { readonly onSent: (email: string) => void }): ReactNode {
  const id = useId();
  const [email, setEmail] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await startOptOut(email.trim());
    props.onSent(email.trim());
  });
  return (
    <form onSubmit={submit}>
      <p>
        Workspaces on this service may hold your name and email address as a contact. Ask for every
        such record to be deleted, in every workspace, and for your address never to be added again.
        We will email you a code to check that the address is yours.
      </p>
      <label htmlFor={`${id}-email`}>Your email address</label>
      <input
        id={`${id}-email`}
        type="email"
        name="email"
        autoComplete="email"
        required
        aria-invalid={error !== undefined}
        aria-describedby={`${id}-error`}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Sending…' : 'Email me a code'}
      </button>
    </form>
  );
}

function CodeStep(props: {
  readonly email: string;
  readonly onDone: (deleteBy: string) => void;
  readonly onRestart: () => void;
}): ReactNode {
  const id = useId();
  const [code, setCode] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    const confirmed = await confirmOptOut(props.email, code.trim());
    props.onDone(confirmed.delete_by);
  });
  return (
    <form onSubmit={submit}>
      <p>
        A code is on its way to <strong>{props.email}</strong>. Enter it to confirm.
      </p>
      <CodeField id={id} value={code} onChange={setCode} error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Confirm opt-out'}
        </button>
        <button type="button" className="secondary" onClick={props.onRestart}>
          Use another email
        </button>
      </div>
    </form>
  );
}
