/**
 * The cache's settings, for admins: GET and PUT
 * `/api/v1/workspaces/{ws}/llm/cache` (on or off, TTL) and POST
 * `…/llm/cache/flush` (a new salt: everything cached so far becomes
 * unreachable). The salt never leaves the server. Each change is audited
 * by the table's triggers; a flush also as `llm_cache.flushed`.
 */
import { z } from 'zod';
import type { Keyring } from '../../keys/index.js';
import { defineRoute, type WorkspaceRoute } from '../../tenancy/index.js';
import {
  cacheSettingsView,
  flushCache,
  MAX_TTL_SECONDS,
  MIN_TTL_SECONDS,
  updateCacheSettings,
} from './settings.js';

const ws = z.uuid();
const url = '/api/v1/workspaces/:ws/llm/cache';
const admin = { kind: 'role', role: 'admin' } as const;
const tags = ['llm'];

const settingsView = z.object({
  enabled: z.boolean(),
  ttl_seconds: z.number().int(),
  /** 0 before the settings were first written; each flush adds one. */
  salt_version: z.number().int(),
  updated_at: z.string().nullable(),
});

const settingsBody = z
  .strictObject({
    enabled: z.boolean().optional(),
    ttl_seconds: z.number().int().min(MIN_TTL_SECONDS).max(MAX_TTL_SECONDS).optional(),
  })
  .refine((b) => b.enabled !== undefined || b.ttl_seconds !== undefined, {
    message: 'Give enabled, ttl_seconds or both',
  });

export function cacheRoutes(deps: { readonly keyring: Keyring }): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url,
      summary: "The workspace's LLM response cache settings (off by default)",
      tags,
      access: admin,
      params: z.strictObject({ ws }),
      status: 200,
      response: settingsView,
      errors: [],
      handler: ({ tx }) => cacheSettingsView(tx),
    }),
    defineRoute({
      method: 'PUT',
      url,
      summary:
        'Turn the LLM response cache on or off, or set its TTL; turning it off forgets every entry',
      tags,
      access: admin,
      params: z.strictObject({ ws }),
      body: settingsBody,
      status: 200,
      response: settingsView,
      errors: [],
      handler: ({ tx }, { body }) => updateCacheSettings(tx, deps.keyring, body),
    }),
    defineRoute({
      method: 'POST',
      url: `${url}/flush`,
      summary: 'Flush the LLM response cache: a new salt makes every cached entry unreachable',
      tags,
      access: admin,
      params: z.strictObject({ ws }),
      status: 200,
      response: settingsView,
      errors: [],
      handler: ({ tx }) => flushCache(tx, deps.keyring),
    }),
  ];
}
