/**
 * The workrooms module's public face: workrooms, conversations and sealed
 * messages, reached through their routes.
 */
export { workroomRoutes } from './routes.js';
