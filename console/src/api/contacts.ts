/** Contacts: members and up read them, admins and up create, edit and delete them. */
import { api, query, seg } from './client';

export interface Contact {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly company: string | null;
  readonly notes: string | null;
  readonly created_at: string;
}

export interface ContactFields {
  readonly name: string;
  readonly email: string;
  readonly company: string | null;
  readonly notes: string | null;
}

interface ContactPage {
  readonly items: readonly Contact[];
  readonly next_cursor: string | null;
}

const base = (workspaceId: string) => `/workspaces/${seg(workspaceId)}/contacts`;

/** Every contact (all pages), or those with `email` (found by the server's blind index). */
export async function listContacts(workspaceId: string, email?: string): Promise<Contact[]> {
  const all: Contact[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<ContactPage>(
      `${base(workspaceId)}${query({ limit: 200, cursor, email })}`,
    );
    all.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}

export function createContact(workspaceId: string, fields: ContactFields): Promise<Contact> {
  return api.post(base(workspaceId), fields);
}

export function deleteContact(workspaceId: string, id: string): Promise<void> {
  return api.delete(`${base(workspaceId)}/${seg(id)}`);
}
