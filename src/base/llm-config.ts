/**
 * The LLM gateway's configuration: upstream URLs, timeouts, prices, the
 * operator's platform keys and the region routing table, each checked once
 * here (the gateway module takes the typed result).
 */
import { z } from 'zod';
import type { envFields } from './env-fields.js';
import { buildRoutesTable, routesOverrideSchema, type RoutesTable } from './llm-routes.js';
import { isLoopbackHost } from './net.js';
import { Secret } from './secret.js';

/** The LLM gateway's upstreams (modules/gateway). */
export interface LlmConfig {
  /** WARDROOM_ANTHROPIC_BASE_URL, no trailing slash. */
  readonly anthropicBaseUrl: string;
  /** WARDROOM_OPENAI_BASE_URL, no trailing slash. */
  readonly openaiBaseUrl: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** WARDROOM_LLM_PRICES as parsed JSON (validated by the gateway's pricing module). */
  readonly priceOverrides: unknown;
  /** WARDROOM_ANTHROPIC_API_KEY / WARDROOM_OPENAI_API_KEY: the operator's platform keys. */
  readonly platformKeys: { readonly anthropic?: Secret<string>; readonly openai?: Secret<string> };
  /** The region routing table in force (shipped, base URLs, WARDROOM_LLM_ROUTES). */
  readonly routes: RoutesTable;
  readonly maxPromptBytes: number;
}

/** LLM upstream URLs: TLS unless loopback; the price override must be JSON. */
export function checkLlmConfig(e: z.infer<typeof envFields>, ctx: z.RefinementCtx): void {
  for (const name of ['WARDROOM_ANTHROPIC_BASE_URL', 'WARDROOM_OPENAI_BASE_URL'] as const) {
    // The field's own check reports a value that is not a URL; this one must not throw on it.
    const url = URL.canParse(e[name]) ? new URL(e[name]) : undefined;
    if (url?.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'plain http:// only to a loopback address; use https://',
      });
    }
  }
  if (e.WARDROOM_LLM_ROUTES !== undefined) {
    const parsed = routesOverrideSchema.safeParse(parseJsonOr(e.WARDROOM_LLM_ROUTES));
    for (const issue of parsed.error?.issues ?? []) {
      const where = ['WARDROOM_LLM_ROUTES', ...issue.path.map(String)].join('.');
      // The message names the rule; the value is never echoed.
      ctx.addIssue({ code: 'custom', path: [where], message: issue.message });
    }
  }
  if (e.WARDROOM_LLM_PRICES === undefined) return;
  try {
    JSON.parse(e.WARDROOM_LLM_PRICES);
  } catch {
    ctx.addIssue({ code: 'custom', path: ['WARDROOM_LLM_PRICES'], message: 'must be JSON' });
  }
}

/** JSON text as a value, or a marker no schema accepts. */
function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return Symbol('not JSON');
  }
}

/** The LLM gateway's settings: upstreams, platform keys, the routing table. */
export function llmConfig(
  e: z.infer<typeof envFields>,
  present: Record<string, unknown>,
): LlmConfig {
  const anthropicBaseUrl = e.WARDROOM_ANTHROPIC_BASE_URL.replace(/\/+$/, '');
  const openaiBaseUrl = e.WARDROOM_OPENAI_BASE_URL.replace(/\/+$/, '');
  return {
    anthropicBaseUrl,
    openaiBaseUrl,
    timeoutMs: e.WARDROOM_LLM_TIMEOUT_MS,
    maxAttempts: e.WARDROOM_LLM_MAX_ATTEMPTS,
    priceOverrides:
      e.WARDROOM_LLM_PRICES === undefined ? undefined : JSON.parse(e.WARDROOM_LLM_PRICES),
    platformKeys: {
      ...(e.WARDROOM_ANTHROPIC_API_KEY === undefined
        ? {}
        : { anthropic: new Secret(e.WARDROOM_ANTHROPIC_API_KEY) }),
      ...(e.WARDROOM_OPENAI_API_KEY === undefined
        ? {}
        : { openai: new Secret(e.WARDROOM_OPENAI_API_KEY) }),
    },
    routes: buildRoutesTable({
      override:
        e.WARDROOM_LLM_ROUTES === undefined
          ? undefined
          : routesOverrideSchema.parse(JSON.parse(e.WARDROOM_LLM_ROUTES)),
      // Only a base URL the operator set replaces the shipped endpoints.
      baseUrls: {
        ...('WARDROOM_ANTHROPIC_BASE_URL' in present ? { anthropic: anthropicBaseUrl } : {}),
        ...('WARDROOM_OPENAI_BASE_URL' in present ? { openai: openaiBaseUrl } : {}),
      },
    }),
    maxPromptBytes: e.WARDROOM_LLM_MAX_PROMPT_BYTES,
  };
}
