/**
 * Every API response is `Cache-Control: no-store`: those carrying decrypted
 * content (messages listed or just posted), credential metadata, and the
 * errors of the same routes, so no browser or intermediary cache keeps them.
 * The public routes are left as they are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { call, seedContent, type Method } from '../support/http.js';

let t: TestApp;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp();
  ws = await newWorkspace(t);
});
afterAll(() => t.close());

describe('Cache-Control on API responses', () => {
  it('is no-store on reads and writes of sealed content, credentials and errors', async () => {
    const base = `/api/v1/workspaces/${ws.id}`;
    const { conversationId } = await seedContent(t, ws, 'cache');
    const token = ws.ownerToken;
    const credential = await call(t, 'POST', `${base}/credentials`, {
      token,
      payload: {
        kind: 'llm_api_key',
        provider: 'anthropic',
        label: 'cache',
        secret: { value: 'sk-ant-cache-0123456789' },
      },
    });
    expect(credential.statusCode, credential.body).toBe(201);
    const credentialId = credential.json<{ id: string }>().id;
    const cases: [Method, string, object | undefined, string | undefined, number][] = [
      ['POST', `${base}/conversations/${conversationId}/messages`, { content: 'x' }, token, 201],
      ['GET', `${base}/conversations/${conversationId}/messages`, undefined, token, 200],
      ['GET', `${base}/credentials/${credentialId}`, undefined, token, 200],
      ['GET', `${base}/credentials`, undefined, token, 200],
      ['GET', '/api/v1/openapi.json', undefined, token, 200],
      ['GET', `${base}/conversations/${conversationId}/messages`, undefined, undefined, 401],
      ['POST', `${base}/conversations/${conversationId}/messages`, { content: '' }, token, 400],
    ];
    for (const [method, url, payload, bearer, status] of cases) {
      const res = await call(t, method, url, {
        ...(bearer === undefined ? {} : { token: bearer }),
        ...(payload === undefined ? {} : { payload }),
      });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
      expect(res.headers['cache-control'], `${method} ${url}`).toBe('no-store');
    }
    expect(credential.headers['cache-control']).toBe('no-store');
  });
});
