/**
 * The workspace's contacts (people it holds data about). Members and up see
 * the list; admins and owners add and delete contacts. An address that
 * opted out (`/privacy/optout`) cannot be added: the form says so.
 */
import { useId, useState, type ReactNode } from 'react';
import type { Membership } from '../api/account';
import { createContact, deleteContact, listContacts, type Contact } from '../api/contacts';
import { hasRole } from '../roles';
import { ErrorLine, useSubmit } from '../ui/forms';
import { Loaded, useLoad } from '../ui/load';
import { useWorkspace } from '../workspace';

export function ContactsPage(): ReactNode {
  const { current } = useWorkspace();
  if (current === undefined) return null;
  return <Contacts key={current.workspace_id} membership={current} />;
}

function Contacts(props: { readonly membership: Membership }): ReactNode {
  const ws = props.membership.workspace_id;
  const admin = hasRole(props.membership, 'admin');
  const load = useLoad(() => listContacts(ws), ws);
  return (
    <section aria-labelledby="contacts-title">
      <h1 id="contacts-title">Contacts</h1>
      <p>
        People this workspace holds data about. Names, addresses, companies and notes are stored
        encrypted; anyone can ask for their address to be deleted at <code>/privacy/optout</code>.
      </p>
      <Loaded load={load} label="contacts">
        {(contacts) => (
          <ContactTable contacts={contacts} admin={admin} workspaceId={ws} changed={load.reload} />
        )}
      </Loaded>
      {admin ? <ContactForm workspaceId={ws} created={load.reload} /> : null}
    </section>
  );
}

function ContactTable(props: {
  readonly contacts: readonly Contact[];
  readonly admin: boolean;
  readonly workspaceId: string;
  readonly changed: () => void;
}): ReactNode {
  if (props.contacts.length === 0) {
    return <p className="empty">No contacts yet.{props.admin ? ' Add one below.' : ''}</p>;
  }
  return (
    <table>
      <caption className="visually-hidden">Contacts of this workspace</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Company</th>
          {props.admin ? <th scope="col">Actions</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.contacts.map((c) => (
          <tr key={c.id}>
            <td>{c.name}</td>
            <td>{c.email}</td>
            <td>{c.company ?? ''}</td>
            {props.admin ? (
              <td>
                <DeleteButton contact={c} workspaceId={props.workspaceId} deleted={props.changed} />
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DeleteButton(props: {
  readonly contact: Contact;
  readonly workspaceId: string;
  readonly deleted: () => void;
}): ReactNode {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    await deleteContact(props.workspaceId, props.contact.id);
    props.deleted();
  });
  if (!confirming) {
    return (
      <button type="button" className="secondary" onClick={() => setConfirming(true)}>
        Delete {props.contact.name}
      </button>
    );
  }
  return (
    <span className="actions">
      <button type="button" className="danger" disabled={busy} onClick={submit}>
        Confirm delete
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Keep
      </button>
      {error === undefined ? null : (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

function ContactForm(props: {
  readonly workspaceId: string;
  readonly created: () => void;
}): ReactNode {
  const id = useId();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [company, setCompany] = useState('');
  const [notes, setNotes] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await createContact(props.workspaceId, {
      name: name.trim(),
      email: email.trim(),
      company: company.trim() === '' ? null : company.trim(),
      notes: notes === '' ? null : notes,
    });
    setName('');
    setEmail('');
    setCompany('');
    setNotes('');
    props.created();
  });
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Add a contact</h2>
      <label htmlFor={`${id}-name`}>Name</label>
      <input
        id={`${id}-name`}
        required
        maxLength={200}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <label htmlFor={`${id}-email`}>Email address</label>
      <input
        id={`${id}-email`}
        type="email"
        required
        maxLength={320}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <label htmlFor={`${id}-company`}>Company (optional)</label>
      <input
        id={`${id}-company`}
        maxLength={200}
        value={company}
        onChange={(e) => setCompany(e.target.value)}
      />
      <label htmlFor={`${id}-notes`}>Notes (optional)</label>
      <textarea
        id={`${id}-notes`}
        maxLength={20000}
        value={notes}
        onChange={(e) => setNotes(e.target.value)}
      />
      <ErrorLine id={`${id}-error`} error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Add contact'}
      </button>
    </form>
  );
}
