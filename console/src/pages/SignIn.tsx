/**
 * Sign in with an email code: ask for the email, the server mails a code
 * (always 202, so the page never says whether an account exists), then
 * verify the code and load the session. Or sign in with SSO: the person
 * types their work email or workspace id and the page goes to the server's
 * start route, which sends the browser on to their identity provider. An
 * SSO error comes back as `?error=<code>` and is shown as a sentence.
 */
import { useId, useState, type ReactNode } from 'react';
import { startEmailSignIn, verifyEmailCode } from '../api/account';
import { ssoStartUrl } from '../api/sso';
import { describeCode } from '../errors';
import { CodeField, ErrorLine, useSubmit } from '../ui/forms';
import { useSession } from '../session';

type Step = { readonly kind: 'email' } | { readonly kind: 'code'; readonly email: string };

/** The code in `?error=`, when the server sent the browser back from a failed SSO sign-in. */
function ssoErrorCode(): string | undefined {
  const code = new URLSearchParams(window.location.search).get('error');
  return code !== null && /^[a-z_]{1,64}$/.test(code) ? code : undefined;
}

export function SignInPage(): ReactNode {
  const [step, setStep] = useState<Step>({ kind: 'email' });
  const [ssoError] = useState(ssoErrorCode);
  return (
    <main className="sign-in">
      <h1>Sign in to Wardroom</h1>
      {ssoError === undefined ? null : (
        <p className="error" role="alert">
          {describeCode(ssoError)}
        </p>
      )}
      {step.kind === 'email' ? (
        <EmailForm onSent={(email) => setStep({ kind: 'code', email })} />
      ) : (
        <CodeForm email={step.email} onRestart={() => setStep({ kind: 'email' })} />
      )}
      <SsoForm />
    </main>
  );
}

function SsoForm(): ReactNode {
  const id = useId();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const go = (event: { preventDefault(): void }) => {
    event.preventDefault();
    setBusy(true);
    // A full-page navigation: the server answers with a redirect to the identity provider.
    window.location.assign(ssoStartUrl(value));
  };
  return (
    <form onSubmit={go} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Sign in with SSO</h2>
      <label htmlFor={`${id}-sso`}>Work email or workspace id</label>
      <input
        id={`${id}-sso`}
        name="sso"
        autoComplete="email"
        required
        maxLength={320}
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="secondary" disabled={busy}>
        {busy ? 'Opening your identity provider…' : 'Continue with SSO'}
      </button>
    </form>
  );
}

function EmailForm(props: { readonly onSent: (email: string) => void }): ReactNode {
  const id = useId();
  const [email, setEmail] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await startEmailSignIn(email.trim());
    props.onSent(email.trim());
  });
  return (
    <form onSubmit={submit}>
      <p>We will email you a one-time code.</p>
      <label htmlFor={`${id}-email`}>Email address</label>
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

function CodeForm(props: { readonly email: string; readonly onRestart: () => void }): ReactNode {
  const id = useId();
  const session = useSession();
  const [code, setCode] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await verifyEmailCode(props.email, code.trim());
    await session.refresh();
  });
  return (
    <form onSubmit={submit}>
      <p>
        If <strong>{props.email}</strong> can sign in, a code is on its way. Enter it below.
      </p>
      <CodeField id={id} value={code} onChange={setCode} error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <button type="button" className="secondary" onClick={props.onRestart}>
          Use another email
        </button>
      </div>
    </form>
  );
}
