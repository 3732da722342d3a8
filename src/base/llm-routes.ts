/**
 * The LLM gateway's region routing table (used by modules/gateway; here so
 * configuration can validate WARDROOM_LLM_ROUTES once). Region routing: which upstream endpoints a workspace's calls may go to,
 * by the workspace's region. Each region names its legal context and, per
 * provider, the allowed endpoints in order of preference (the first is
 * used; there is no failover between them yet). A provider with no endpoint
 * in a region is refused there (`llm_region_blocked`), never sent elsewhere.
 *
 * The shipped table (docs/gateway.md, "Region routing") sends only where a
 * provider documents processing in or for the region:
 * - OpenAI: `api.openai.com` for `us`; its data-residency endpoints
 *   `eu.api.openai.com` (Europe) and `jp.api.openai.com` (Japan) for `eu`
 *   and `ap-northeast` (they need a key of a project created with that
 *   residency); none for `me-south` (OpenAI's `ae` endpoint is the UAE, not
 *   Bahrain, so it is not assumed to satisfy it).
 * - Anthropic: its first-party API documents no regional endpoint, so
 *   `api.anthropic.com` for `us` only.
 *
 * The operator changes it with WARDROOM_LLM_ROUTES (whole regions, or one
 * provider of a region), and WARDROOM_ANTHROPIC_BASE_URL /
 * WARDROOM_OPENAI_BASE_URL, when set, replace that provider's shipped
 * endpoint in every region (endpoint region `operator`) unless
 * WARDROOM_LLM_ROUTES names it for that region.
 */
import { z } from 'zod';
import { isLoopbackHost } from './net.js';

type ProviderName = 'anthropic' | 'openai';

/** Kept in step with tenancy's REGIONS (and the workspaces.region CHECK). */
export const ROUTING_REGIONS = ['us', 'eu', 'me-south', 'ap-northeast'] as const;
export type RoutingRegion = (typeof ROUTING_REGIONS)[number];

export interface Endpoint {
  /** Anthropic without `/v1`, OpenAI with `/v1` (as their SDKs), no trailing slash. */
  readonly baseUrl: string;
  /** Where the endpoint processes: a region name, or `operator` for a configured base URL. */
  readonly region: string;
}

export interface RegionRoutes {
  /** The legal context the region implies, recorded on each call's audit events. */
  readonly legal: string;
  readonly anthropic: readonly Endpoint[];
  readonly openai: readonly Endpoint[];
}

export type RoutesTable = Readonly<Record<RoutingRegion, RegionRoutes>>;

const OPENAI = (host: string): string => `https://${host}/v1`;

export const DEFAULT_ROUTES: RoutesTable = {
  us: {
    legal: 'us',
    anthropic: [{ baseUrl: 'https://api.anthropic.com', region: 'us' }],
    openai: [{ baseUrl: OPENAI('api.openai.com'), region: 'us' }],
  },
  eu: {
    legal: 'gdpr',
    anthropic: [],
    openai: [{ baseUrl: OPENAI('eu.api.openai.com'), region: 'eu' }],
  },
  'me-south': { legal: 'bh-pdpl', anthropic: [], openai: [] },
  'ap-northeast': {
    legal: 'jp-appi',
    anthropic: [],
    openai: [{ baseUrl: OPENAI('jp.api.openai.com'), region: 'jp' }],
  },
};

/** A base URL: https, or http to loopback only (the same rule as the *_BASE_URL variables). */
function isAllowedUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.protocol === 'https:') return url.username === '' && url.password === '';
  return url.protocol === 'http:' && isLoopbackHost(url.hostname) && url.username === '';
}

const endpointSchema = z.strictObject({
  base_url: z
    .string()
    .max(2000)
    .refine(isAllowedUrl, 'an https:// URL (or http:// to loopback), without credentials'),
  region: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a short lower-case region name'),
});

const regionSchema = z.strictObject({
  legal: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a short lower-case legal context name')
    .optional(),
  anthropic: z.array(endpointSchema).max(8).optional(),
  openai: z.array(endpointSchema).max(8).optional(),
});

/** WARDROOM_LLM_ROUTES: `{region: {legal?, anthropic?: [{base_url, region}], openai?: [...]}}`. */
export const routesOverrideSchema = z.partialRecord(z.enum(ROUTING_REGIONS), regionSchema);
export type RoutesOverride = z.infer<typeof routesOverrideSchema>;

const noSlash = (url: string): string => url.replace(/\/+$/, '');

/**
 * The table in force: the shipped one, the configured base URLs over it for
 * every region, then the operator's table over both.
 */
export function buildRoutesTable(options: {
  readonly override?: RoutesOverride | undefined;
  readonly baseUrls?: Partial<Record<ProviderName, string>>;
}): RoutesTable {
  const table = {} as Record<RoutingRegion, RegionRoutes>;
  for (const region of ROUTING_REGIONS) {
    const shipped = DEFAULT_ROUTES[region];
    const configured = (provider: ProviderName): readonly Endpoint[] => {
      const url = options.baseUrls?.[provider];
      return url === undefined
        ? shipped[provider]
        : [{ baseUrl: noSlash(url), region: 'operator' }];
    };
    const own = options.override?.[region];
    const fromOverride = (provider: ProviderName): readonly Endpoint[] | undefined =>
      own?.[provider]?.map((e) => ({ baseUrl: noSlash(e.base_url), region: e.region }));
    table[region] = {
      legal: own?.legal ?? shipped.legal,
      anthropic: fromOverride('anthropic') ?? configured('anthropic'),
      openai: fromOverride('openai') ?? configured('openai'),
    };
  }
  return table;
}
