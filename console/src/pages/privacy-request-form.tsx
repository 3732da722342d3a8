/**
 * "Create request": log a privacy request as the requester made it — its
 * type, who asked (email, name), where they say they are, and what they
 * asked. The server picks the law and the deadline.
 */
import { useId, useState, type ReactNode } from 'react';
import { createRequest, REQUEST_TYPES, type RequestType } from '../api/privacy-requests';
import { ErrorLine, useSubmit } from '../ui/forms';

const TYPE_NAMES: Readonly<Record<RequestType, string>> = {
  access: 'Access (a copy of their data)',
  deletion: 'Deletion',
  rectification: 'Rectification (correct their data)',
  opt_out: 'Opt-out (of sale, sharing or processing)',
};

export function PrivacyRequestForm(props: {
  readonly ws: string;
  readonly created: () => void;
}): ReactNode {
  const id = useId();
  const [type, setType] = useState<RequestType>('access');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [jurisdiction, setJurisdiction] = useState('');
  const [details, setDetails] = useState('');
  const [saved, setSaved] = useState('');
  const save = useSubmit(
    async () => {
      setSaved('');
      const made = await createRequest(props.ws, {
        type,
        subject: { email: email.trim(), ...(name.trim() === '' ? {} : { name: name.trim() }) },
        ...(jurisdiction.trim() === '' ? {} : { jurisdiction: jurisdiction.trim().toUpperCase() }),
        ...(details.trim() === '' ? {} : { details: details.trim() }),
      });
      setSaved(`Request logged under ${made.law.name}: due ${made.due_on}.`);
      setEmail('');
      setName('');
      setJurisdiction('');
      setDetails('');
      props.created();
    },
    {
      validation_failed:
        'Check the email address, and give the jurisdiction as a country code such as DE, GB, US-CA, BR, BH or JP.',
    },
  );
  const field = (name: string) => `${id}-${name}`;
  return (
    <form
      className="panel"
      noValidate
      onSubmit={save.submit}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-error`}
    >
      <h3 id={`${id}-title`}>Create request</h3>
      <label htmlFor={field('type')}>Type</label>
      <select
        id={field('type')}
        value={type}
        onChange={(e) => setType(e.target.value as RequestType)}
      >
        {REQUEST_TYPES.map((t) => (
          <option key={t} value={t}>
            {TYPE_NAMES[t]}
          </option>
        ))}
      </select>
      <label htmlFor={field('email')}>Requester&apos;s email</label>
      <input
        id={field('email')}
        type="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <label htmlFor={field('name')}>Requester&apos;s name (optional)</label>
      <input id={field('name')} value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor={field('jurisdiction')}>Their stated jurisdiction (optional)</label>
      <input
        id={field('jurisdiction')}
        value={jurisdiction}
        placeholder="DE, GB, US-CA, BR, BH, JP…"
        aria-describedby={field('jurisdiction-help')}
        onChange={(e) => setJurisdiction(e.target.value)}
      />
      <p id={field('jurisdiction-help')} className="hint">
        A country code, or country and region. The deadline is the earliest the laws of this
        jurisdiction and of the workspace&apos;s region allow.
      </p>
      <label htmlFor={field('details')}>What they asked (optional)</label>
      <textarea
        id={field('details')}
        rows={3}
        value={details}
        onChange={(e) => setDetails(e.target.value)}
      />
      <p className="hint">The requester&apos;s email, name and words are stored encrypted.</p>
      <button type="submit" disabled={save.busy}>
        {save.busy ? 'Logging…' : 'Create request'}
      </button>
      <ErrorLine id={`${id}-error`} error={save.error} />
      <p role="status">{saved}</p>
    </form>
  );
}
