/**
 * Fair sharing between workspaces in one process: how many requests of one
 * workspace run at once, and how many long responses (exports) hold a
 * connection of the stream lane. Both refuse at once with `429
 * rate_limited` and `Retry-After` instead of queueing, so a workspace that
 * floods the server delays only itself.
 */
import type { FastifyReply } from 'fastify';
import { AppError } from '../base/errors.js';
import { Slots } from '../http/slots.js';

export interface LimitSettings {
  /** Requests of one workspace served at once. */
  readonly workspaceConcurrency: number;
  /** Connections of the stream lane (long responses). */
  readonly streamSlots: number;
  /** Long responses one workspace may hold open at once. */
  readonly streamSlotsPerWorkspace: number;
  /** A download whose client reads nothing for this long is cut. */
  readonly streamIdleTimeoutMs: number;
}

export interface Limits {
  readonly requests: Slots;
  readonly streams: Slots;
  readonly streamIdleTimeoutMs: number;
}

/** No limits: every caller is admitted (embedding code and tests that do not ask for them). */
export const UNLIMITED: LimitSettings = {
  workspaceConcurrency: Number.POSITIVE_INFINITY,
  streamSlots: Number.POSITIVE_INFINITY,
  streamSlotsPerWorkspace: Number.POSITIVE_INFINITY,
  streamIdleTimeoutMs: 0,
};

export function createLimits(settings: LimitSettings): Limits {
  return {
    requests: new Slots(Number.POSITIVE_INFINITY, settings.workspaceConcurrency),
    streams: new Slots(settings.streamSlots, settings.streamSlotsPerWorkspace),
    streamIdleTimeoutMs: settings.streamIdleTimeoutMs,
  };
}

/** Takes a slot for the workspace, or answers 429 with Retry-After. */
export function admit(
  slots: Slots,
  tenantId: string,
  reply: FastifyReply,
  what: string,
): () => void {
  const release = slots.tryTake(tenantId);
  if (release !== undefined) return release;
  void reply.header('retry-after', '1');
  throw new AppError('rate_limited', `Too many ${what} of this workspace at once; retry shortly`);
}
