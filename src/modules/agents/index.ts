/**
 * The agents module's public face: agents as workspace resources, reached
 * through their routes (docs/agents.md).
 */
export { agentRoutes, type AgentRouteDeps } from './routes.js';
export { startRun, type RunDeps, type RunOutcome, type RunStarted } from './runs.js';
export { getRun, runView, type RunView } from './run-routes.js';
