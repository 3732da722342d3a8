/**
 * Every console page: its path (with `:name` parameters), its title, where
 * it shows in the navigation, and who may open it. App picks the page for
 * the location; Shell builds the navigation from the same list. A page for a
 * new capability is one file in pages/ and one entry here.
 */
import type { ReactNode } from 'react';
import type { Role } from '../roles';
import { ActivityPage } from './Activity';
import { KeysPage } from './Keys';
import { LlmKeysPage } from './LlmKeys';
import { LlmSettingsPage } from './LlmSettings';
import { SsoPage } from './Sso';
import { WorkspacesPage } from './Workspaces';
import { ConversationPage } from './Conversation';
import { MembersPage } from './Members';
import { WorkroomPage } from './Workroom';
import { WorkroomsPage } from './Workrooms';
import { AccountPage } from './Account';
import { AgentsPage } from './Agents';
import { BudgetsPage } from './Budgets';
import { ResidencyPage } from './Residency';
import { ContactsPage } from './Contacts';
import { BillingPage } from './Billing';
import { MyDataPage } from './MyData';

export interface PageDef {
  /** `/app/…`; `:name` segments become `params.name`. */
  readonly path: string;
  readonly title: string;
  /** Shown in the navigation under this heading; absent for pages reached by links. */
  readonly nav?: 'workspace' | 'account';
  /**
   * Who may open it: anyone signed in, a member of the current workspace
   * (any role), or at least this role in the current workspace.
   */
  readonly needs: 'signed-in' | 'workspace' | Role;
  readonly render: (params: Readonly<Record<string, string>>) => ReactNode;
}

export const pages: readonly PageDef[] = [
  {
    path: '/app/workspaces',
    title: 'Workspaces',
    nav: 'account',
    needs: 'signed-in',
    render: () => <WorkspacesPage />,
  },
  // Workrooms, conversations and members (helper "work").
  {
    path: '/app/workrooms',
    title: 'Workrooms',
    nav: 'workspace',
    needs: 'workspace',
    render: () => <WorkroomsPage />,
  },
  {
    path: '/app/workrooms/:id',
    title: 'Workroom',
    needs: 'workspace',
    render: (p) => <WorkroomPage id={p['id'] ?? ''} />,
  },
  {
    path: '/app/conversations/:id',
    title: 'Conversation',
    needs: 'workspace',
    render: (p) => <ConversationPage id={p['id'] ?? ''} />,
  },
  {
    path: '/app/members',
    title: 'Members',
    nav: 'workspace',
    needs: 'admin',
    render: () => <MembersPage />,
  },
  // Activity, LLM keys and credentials, keys and deletion (admin helper).
  {
    path: '/app/activity',
    title: 'Activity',
    nav: 'workspace',
    needs: 'admin',
    render: () => <ActivityPage />,
  },
  {
    path: '/app/llm-keys',
    title: 'LLM keys and credentials',
    nav: 'workspace',
    needs: 'admin',
    render: () => <LlmKeysPage />,
  },
  {
    path: '/app/settings/keys',
    title: 'Keys and deletion',
    nav: 'workspace',
    needs: 'owner',
    render: () => <KeysPage />,
  },
  {
    path: '/app/account',
    title: 'Sessions and tokens',
    nav: 'account',
    needs: 'signed-in',
    render: () => <AccountPage />,
  },
  {
    path: '/app/settings/sso',
    title: 'Single sign-on',
    nav: 'workspace',
    needs: 'admin',
    render: () => <SsoPage />,
  },
  // The LLM gateway's per-workspace settings: the response cache (helper "cache").
  {
    path: '/app/settings/llm',
    title: 'LLM settings',
    nav: 'workspace',
    needs: 'admin',
    render: () => <LlmSettingsPage />,
  },
  // Contacts (issue 13, section 5): members read, admins add and delete.
  {
    path: '/app/contacts',
    title: 'Contacts',
    nav: 'workspace',
    needs: 'member',
    render: () => <ContactsPage />,
  },
  // Billing (issue 13, section 6): the plan and the Stripe subscription, for admins.
  {
    path: '/app/settings/billing',
    title: 'Billing',
    nav: 'workspace',
    needs: 'admin',
    render: () => <BillingPage />,
  },
  // Agents (helper "agents"): everyone in the workspace reads; admins change (issue 12).
  {
    path: '/app/agents',
    title: 'Agents',
    nav: 'workspace',
    needs: 'workspace',
    render: () => <AgentsPage />,
  },
  // LLM budgets, rate limits and suspended keys (issue 12): admins; owners resume keys.
  {
    path: '/app/budgets',
    title: 'Budgets',
    nav: 'workspace',
    needs: 'admin',
    render: () => <BudgetsPage />,
  },
  // Data residency and privacy requests (issue 13): admins; owners change the region.
  {
    path: '/app/settings/residency',
    title: 'Data residency',
    nav: 'workspace',
    needs: 'admin',
    render: () => <ResidencyPage />,
  },
  // The personal export (issue 13, section 3): every member, for their own data.
  {
    path: '/app/my-data',
    title: 'My data',
    nav: 'workspace',
    needs: 'workspace',
    render: () => <MyDataPage />,
  },
];

/** The page for a location and its parameters, or undefined. */
export function matchPage(
  path: string,
): { page: PageDef; params: Record<string, string> } | undefined {
  const parts = path.replace(/\/+$/, '').split('/');
  for (const page of pages) {
    const pattern = page.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((segment, i) => {
      const part = parts[i] ?? '';
      if (segment.startsWith(':')) {
        if (part === '') return false;
        params[segment.slice(1)] = decodeURIComponent(part);
        return true;
      }
      return segment === part;
    });
    if (matches) return { page, params };
  }
  return undefined;
}
