import { afterAll, beforeAll, it } from 'vitest';
import {
  bearer,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
let t: TestApp;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp();
  ws = await newWorkspace(t);
});
afterAll(() => t.close());
it('probe', async () => {
  const u = `/api/v1/workspaces/${ws.id}/workrooms`;
  const h = bearer(ws.ownerToken);
  const show = async (
    label: string,
    r: Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>,
  ) => {
    const x = await r;
    console.log(label, x.statusCode, x.body, x.headers['x-correlation-id']);
  };
  await show(
    'text/plain',
    t.app.inject({
      method: 'POST',
      url: u,
      headers: { ...h, 'content-type': 'text/plain' },
      payload: 'hello',
    }),
  );
  await show(
    'xml',
    t.app.inject({
      method: 'POST',
      url: u,
      headers: { ...h, 'content-type': 'application/xml' },
      payload: '<a/>',
    }),
  );
  await show(
    'form',
    t.app.inject({
      method: 'POST',
      url: u,
      headers: { ...h, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    }),
  );
  await show(
    'nul',
    t.app.inject({ method: 'POST', url: u, headers: h, payload: { name: 'a\u0000b' } }),
  );
  await show(
    'proto',
    t.app.inject({
      method: 'POST',
      url: u,
      headers: { ...h, 'content-type': 'application/json' },
      payload: '{"name":"x","__proto__":{"a":1}}',
    }),
  );
  await show(
    'ctor',
    t.app.inject({
      method: 'POST',
      url: u,
      headers: { ...h, 'content-type': 'application/json' },
      payload: '{"name":"x","constructor":{"prototype":{"a":1}}}',
    }),
  );
  await show(
    'empty',
    t.app.inject({
      method: 'POST',
      url: u,
      headers: { ...h, 'content-type': 'application/json' },
      payload: '',
    }),
  );
  await show('nobody', t.app.inject({ method: 'POST', url: u, headers: h }));
  await show(
    'null',
    t.app.inject({
      method: 'POST',
      url: u,
      headers: { ...h, 'content-type': 'application/json' },
      payload: 'null',
    }),
  );
  await show(
    'charset16',
    t.app.inject({
      method: 'POST',
      url: u,
      headers: { ...h, 'content-type': 'application/json; charset=utf-16' },
      payload: '{"name":"x"}',
    }),
  );
  await show('dupq', t.app.inject({ url: `${u}?limit=1&limit=2`, headers: h }));
  await show('badws', t.app.inject({ url: `/api/v1/workspaces/nope/workrooms`, headers: h }));
  await show(
    'upperws',
    t.app.inject({ url: `/api/v1/workspaces/${ws.id.toUpperCase()}/workrooms`, headers: h }),
  );
  await show('head', t.app.inject({ method: 'HEAD', url: u, headers: h }));
  await show(
    'dispname nul',
    t.app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${ws.id}/members`,
      headers: h,
      payload: { email: 'q@example.test', display_name: 'a\u0000' },
    }),
  );
  await show(
    'email nul',
    t.app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${ws.id}/members`,
      headers: h,
      payload: { email: 'q\u0000@example.test' },
    }),
  );
  await show('cursor', t.app.inject({ url: `${u}?cursor=zzzz`, headers: h }));
  await show('limit0', t.app.inject({ url: `${u}?limit=0`, headers: h }));
  await show('extra q', t.app.inject({ url: `${u}?foo=1`, headers: h }));
  await show(
    'patch empty',
    t.app.inject({
      method: 'PATCH',
      url: `/api/v1/workspaces/${ws.id}/members/${ws.ownerUserId}`,
      headers: h,
      payload: {},
    }),
  );
  await show('put', t.app.inject({ method: 'PUT', url: u, headers: h, payload: {} }));
  await show(
    'dup email upper',
    t.app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${ws.id}/members`,
      headers: h,
      payload: { email: 'Q@Example.test' },
    }),
  );
  await show(
    'lone surrogate',
    t.app.inject({ method: 'POST', url: u, headers: h, payload: { name: 'x\ud800y' } }),
  );
  const sw = t.app.swagger() as { paths?: Record<string, Record<string, unknown>> };
  console.log(Object.entries(sw.paths ?? {}).map(([p, m]) => `${p} ${Object.keys(m).join(',')}`));
});
