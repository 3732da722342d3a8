/** The gateway as the configuration describes it (WARDROOM_LLM_* and the platform keys). */
import type { Logger } from 'pino';
import type { LlmConfig } from '../../../base/config.js';
import { PriceBook } from '../pricing/price-book.js';
import type { BudgetGuard, Gateway, ResponseCache } from '../ports.js';
import { createHttpProvider } from '../providers/http-provider.js';
import { createGateway, type GatewayDeps } from './create-gateway.js';

export function gatewayFromConfig(
  llm: LlmConfig,
  deps: Pick<GatewayDeps, 'db' | 'keyring'> & {
    readonly logger: Logger;
    /** Budgets and the response cache, once built (optional ports). */
    readonly budget?: BudgetGuard;
    readonly cache?: ResponseCache;
  },
): Gateway {
  return createGateway({
    db: deps.db,
    keyring: deps.keyring,
    prices: new PriceBook(llm.priceOverrides),
    routes: llm.routes,
    platformKeys: llm.platformKeys,
    timeoutMs: llm.timeoutMs,
    maxPromptBytes: llm.maxPromptBytes,
    provider: createHttpProvider({ retry: { maxAttempts: llm.maxAttempts }, logger: deps.logger }),
    budget: deps.budget,
    cache: deps.cache,
    logger: deps.logger,
  });
}
