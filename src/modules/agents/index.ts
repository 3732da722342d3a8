/**
 * The agents module's public face: agents as workspace resources, reached
 * through their routes (docs/agents.md).
 */
export { agentRoutes, type AgentRouteDeps } from './routes.js';
