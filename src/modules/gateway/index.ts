/**
 * The LLM gateway's public surface. For now, the wire layer: a provider port
 * (real providers over HTTP, and the offline default), upstream errors as
 * stable codes with a safe retry policy, and prices in integer
 * micro-dollars. Budgets, cache, routing, audit and the compatible endpoints
 * build on these (docs/gateway.md).
 */
export { createHttpProvider, type HttpProviderOptions } from './providers/http-provider.js';
export { createOfflineProvider, OFFLINE_NOTICE } from './providers/offline-provider.js';
export { defaultRetryPolicy, type RetryPolicy } from './providers/retry.js';
export {
  isStreaming,
  operationProvider,
  type JsonResult,
  type Operation,
  type Provider,
  type ProviderName,
  type ProviderRequest,
  type ProviderResult,
  type StreamEvent,
  type StreamResult,
  type Usage,
} from './providers/types.js';
export { actualCost, worstCaseCost, type CostEstimate } from './pricing/cost.js';
export { PriceBook, priceOverridesSchema, type ModelPrice } from './pricing/price-book.js';
export { PRICES, type PriceEntry } from './pricing/prices.js';
export { createGateway, type GatewayDeps } from './pipeline/create-gateway.js';
export { gatewayFromConfig } from './pipeline/from-config.js';
export {
  anthropicError,
  anthropicErrorBody,
  openaiError,
  openaiErrorBody,
} from './compat/error-shapes.js';
export { keyId, type PlatformKey, type PlatformKeys } from './pipeline/keys.js';
export { INTENT as LLM_CALL_INTENT, OUTCOME as LLM_CALL_OUTCOME } from './pipeline/call-events.js';
export { MAX_MODEL_LENGTH, MAX_TOOLS } from './pipeline/request-checks.js';
export { GATEWAY_ERROR_CODES, REQUEST_SHAPE_CODES } from './pipeline/error-codes.js';
export {
  buildRoutesTable,
  DEFAULT_ROUTES,
  ROUTING_REGIONS,
  routesOverrideSchema,
  type Endpoint,
  type RegionRoutes,
  type RoutesTable,
} from '../../base/llm-routes.js';
export type {
  BudgetGuard,
  CachedResponse,
  CacheableRequest,
  CallScope,
  Gateway,
  GatewayRequest,
  KeySource,
  Reservation,
  ReservationRequest,
  ResponseCache,
  Settlement,
} from './ports.js';
export {
  cacheRoutes,
  createLlmCache,
  createResponseCache,
  memoryStore,
  redisStore,
  SettingsCache,
  subscribeCacheEvents,
  type CacheStats,
  type CacheStore,
  type LlmCache,
  type LlmCacheOptions,
  type WorkspaceResponseCache,
} from './cache/index.js';
