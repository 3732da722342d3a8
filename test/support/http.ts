/**
 * Small request helpers for HTTP tests: one call shape for every method, the
 * error body schema every failure must match, and a seeded workroom,
 * conversation and message made through the API itself.
 */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { z } from 'zod';
import { bearer, type TestApp, type TestWorkspace } from './app.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface CallOptions {
  readonly token?: string;
  readonly payload?: object | string;
  readonly headers?: Record<string, string>;
}

export function call(
  t: TestApp,
  method: Method,
  url: string,
  options: CallOptions = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    headers: { ...(options.token === undefined ? {} : bearer(options.token)), ...options.headers },
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
}

export const errorBody = z.strictObject({
  error: z.strictObject({ code: z.string().regex(/^[a-z_]+$/), message: z.string().min(1) }),
});

/** Asserts status, the `{error: {code, message}}` shape, the code and a correlation id. */
export function expectError(
  res: LightMyRequestResponse,
  status: number,
  code: string,
  label = '',
): z.infer<typeof errorBody> {
  expect(res.statusCode, `${label} ${res.body}`).toBe(status);
  const body = errorBody.parse(res.json());
  expect(body.error.code, label).toBe(code);
  expect(res.headers['x-correlation-id'], label).toMatch(/^[0-9a-f-]{36}$/);
  return body;
}

export interface SeededContent {
  readonly workroomId: string;
  readonly conversationId: string;
  readonly messageId: string;
}

/** A workroom, conversation and message whose name, title and content carry `marker`. */
export async function seedContent(
  t: TestApp,
  ws: TestWorkspace,
  marker: string,
): Promise<SeededContent> {
  const base = `/api/v1/workspaces/${ws.id}`;
  const token = ws.ownerToken;
  const idOf = (res: LightMyRequestResponse): string => {
    expect(res.statusCode, res.body).toBe(201);
    return z.object({ id: z.uuid() }).parse(res.json()).id;
  };
  const workroomId = idOf(
    await call(t, 'POST', `${base}/workrooms`, { token, payload: { name: `${marker} room` } }),
  );
  const conversationId = idOf(
    await call(t, 'POST', `${base}/workrooms/${workroomId}/conversations`, {
      token,
      payload: { title: `${marker} thread` },
    }),
  );
  const messageId = idOf(
    await call(t, 'POST', `${base}/conversations/${conversationId}/messages`, {
      token,
      payload: { content: `${marker} message` },
    }),
  );
  return { workroomId, conversationId, messageId };
}
