/**
 * Part of the composition root (app.ts): the gateway and the parts it is
 * built from. What it starts is recorded in `running`, so app.ts stops it.
 */
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { LlmConfig } from './base/config.js';
import type { Database } from './db/database.js';
import { createBudgetGuard, type BudgetGuardService } from './modules/budgets/index.js';
import {
  createLlmCache,
  gatewayFromConfig,
  PriceBook,
  type Gateway,
} from './modules/gateway/index.js';
import type { Keyring } from './modules/keys/index.js';
import type { Mailer } from './modules/mail/index.js';

/**
 * The LLM gateway with its budget guard (counters in Redis when set) and the
 * per-workspace response cache (Redis when set, else process memory), whose
 * settings listener starts here; and the price book agents are checked against.
 */
export async function startGateway(
  running: {
    budget?: BudgetGuardService;
    gateway?: Gateway;
    stopCacheEvents?: () => Promise<void>;
  },
  llm: LlmConfig,
  deps: {
    db: Database;
    keyring: Keyring;
    logger: Logger;
    redis: Redis | undefined;
    mailer: Mailer;
  },
): Promise<{ gateway: Gateway; priceBook: PriceBook }> {
  const { db, keyring, logger, redis, mailer } = deps;
  const budget = (running.budget = createBudgetGuard({ db, redis, mailer, logger }));
  const llmCache = createLlmCache({ db, keyring, redis, logger });
  running.stopCacheEvents = await llmCache.subscribe();
  const calls = gatewayFromConfig(llm, { db, keyring, logger, budget, cache: llmCache.cache });
  // Idle once the calls' closing work is done, and the budget notices it started.
  const gateway: Gateway = (running.gateway = {
    call: (request) => calls.call(request),
    async idle() {
      await calls.idle();
      await budget.idle();
    },
  });
  // Agents are checked against the same prices, the operator's (WARDROOM_LLM_PRICES) included.
  return { gateway, priceBook: new PriceBook(llm.priceOverrides) };
}
