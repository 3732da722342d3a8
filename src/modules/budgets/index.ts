/**
 * The budgets module's public face: the gateway's budget guard (budgets,
 * rate limits, the velocity tripwire) and the routes that manage them.
 */
export { createBudgetGuard, type BudgetGuardDeps, type BudgetGuardService } from './guard.js';
export { budgetRoutes } from './routes.js';
export { DEFAULT_VELOCITY, type VelocitySettings } from './tripwire.js';
export { usageSummary, type KeyUsage, type UsageSummary } from './usage.js';
