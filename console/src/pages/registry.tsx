/**
 * Every console page: its path (with `:name` parameters), its title, where
 * it shows in the navigation, and who may open it. App picks the page for
 * the location; Shell builds the navigation from the same list. A page for a
 * new capability is one file in pages/ and one entry here.
 */
import type { ReactNode } from 'react';
import type { Role } from '../roles';
import { SsoPage } from './Sso';
import { WorkspacesPage } from './Workspaces';

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
  {
    path: '/app/settings/sso',
    title: 'Single sign-on',
    nav: 'workspace',
    needs: 'admin',
    render: () => <SsoPage />,
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
