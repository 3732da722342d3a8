/**
 * Shared by the credentials HTTP tests: one test app, a superuser client, a
 * workspace (credentialsSuite), and small request helpers.
 */
import { systemPrincipal } from '../../src/db/principal.js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { openCredentialSecret } from '../../src/modules/credentials/open-secret.js';
import { connectAdmin, type Admin } from './admin.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from './app.js';
import { call } from './http.js';

export const url = (w: TestWorkspace, id?: string) =>
  `/api/v1/workspaces/${w.id}/credentials${id === undefined ? '' : `/${id}`}`;
export const unique = () => randomBytes(6).toString('hex');

export interface View {
  id: string;
  fingerprint: string;
  last4: string | null;
  status: string;
  replaced_at: string | null;
}

export function helpers(t: () => TestApp, admin: () => Admin, ws: () => TestWorkspace) {
  const create = (body: object, w = ws()) =>
    call(t(), 'POST', url(w), { token: w.ownerToken, payload: body });
  return {
    create,
    created: async (body: object, w = ws()): Promise<View> => {
      const res = await create(body, w);
      expect(res.statusCode, res.body).toBe(201);
      return res.json<View>();
    },
    open: (id: string, w = ws()) =>
      t().db.withTenant(systemPrincipal(w.id, 'test'), (tx) =>
        openCredentialSecret(tx, t().keyring, id),
      ),
    storedSecret: async (id: string): Promise<Buffer | null> => {
      const { rows } = await admin().client.query<{ secret: Buffer | null }>(
        'select secret from wardroom.integration_credentials where id = $1',
        [id],
      );
      return rows[0]?.secret ?? null;
    },
  };
}

/**
 * For a test file: the app, a superuser client and a workspace, set up
 * before the file's tests and closed after them, with the request helpers.
 */
export function credentialsSuite() {
  let app: TestApp | undefined;
  let superuser: Admin | undefined;
  let workspace: TestWorkspace | undefined;
  beforeAll(async () => {
    app = await startTestApp();
    superuser = await connectAdmin();
    workspace = await newWorkspace(app);
  });
  afterAll(async () => {
    await superuser?.close();
    await app?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('credentialsSuite: set up in beforeAll');
    return value;
  };
  const suite = {
    get t(): TestApp {
      return ready(app);
    },
    get admin(): Admin {
      return ready(superuser);
    },
    get ws(): TestWorkspace {
      return ready(workspace);
    },
  };
  return Object.assign(
    suite,
    helpers(
      () => suite.t,
      () => suite.admin,
      () => suite.ws,
    ),
  );
}
