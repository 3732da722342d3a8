/**
 * The public Stripe webhook, `POST /api/v1/billing/stripe/webhook`. It lives
 * in its own Fastify context whose JSON parser keeps the raw bytes: Stripe
 * signs the exact body, so nothing may parse and re-serialise it before the
 * signature is checked (modules/billing/verify.ts). A delivery that does not
 * verify is refused with `billing_signature_invalid` and changes nothing; a
 * verified one is applied (or acknowledged and ignored) and answered 200 so
 * Stripe stops retrying. Outcomes are logged with the event id and type only.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PaidPlan, PurgeConfig } from '../base/billing-config.js';
import { AppError } from '../base/errors.js';
import type { Database } from '../db/database.js';
import { applyStripeEvent, verifyStripeDelivery } from '../modules/billing/index.js';

export const STRIPE_WEBHOOK_URL = '/api/v1/billing/stripe/webhook';

export interface ServerBilling {
  readonly plans: readonly PaidPlan[];
  /** Undefined: the webhook answers billing_not_configured. */
  readonly stripeWebhookSecret: string | undefined;
  /** The post-cancellation purge's operator settings (default: off, 30 days). */
  readonly purge?: PurgeConfig;
}

const answer = z.object({
  received: z.literal(true),
  outcome: z.enum(['applied', 'duplicate', 'stale', 'ignored']),
});

export async function registerBillingRoutes(
  app: FastifyInstance,
  db: Pick<Database, 'withTenant'>,
  billing: ServerBilling,
): Promise<void> {
  await app.register((child, _opts, done) => {
    child.removeContentTypeParser('application/json');
    child.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, next) => {
      next(null, body);
    });
    child.route({
      method: 'POST',
      url: STRIPE_WEBHOOK_URL,
      config: { access: { kind: 'public' } },
      schema: {
        summary:
          'Stripe webhook: applies subscription changes to workspace plans (signed by Stripe)',
        tags: ['billing'],
        security: [],
        response: { 200: answer },
      },
      handler: async (request, reply) => {
        const secret = billing.stripeWebhookSecret;
        if (secret === undefined) {
          throw new AppError('billing_not_configured', 'Stripe billing is not configured');
        }
        const raw = request.body;
        if (!Buffer.isBuffer(raw)) {
          throw new AppError('billing_signature_invalid', 'No signed body');
        }
        const header = request.headers['stripe-signature'];
        const verified = verifyStripeDelivery(
          raw,
          typeof header === 'string' ? header : undefined,
          secret,
        );
        const result = await applyStripeEvent(db, billing.plans, verified, billing.purge);
        const event = verified as { id?: unknown; type?: unknown };
        request.log.info(
          {
            stripeEvent: typeof event.id === 'string' ? event.id.slice(0, 80) : null,
            stripeType: typeof event.type === 'string' ? event.type.slice(0, 100) : null,
            outcome: result.outcome,
            ...('reason' in result ? { reason: result.reason } : {}),
          },
          'stripe webhook',
        );
        return reply.status(200).send({ received: true, outcome: result.outcome });
      },
    });
    done();
  });
}
