/**
 * The workrooms module's public face: workrooms, conversations and sealed
 * messages, reached through their routes; agent runs read and write
 * messages through the two functions below.
 */
export { workroomRoutes } from './routes.js';
// For agent runs (modules/agents): the conversation as context, and the agent's reply.
export { listMessages, postAuthoredMessage, type MessageView } from './messages.js';
// For the workspace export (privacy module): where each sealed field is bound.
export { contentRef } from './messages.js';
export { nameRef, titleRef } from './workrooms.js';
