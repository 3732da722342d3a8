/**
 * Verifying a Stripe webhook delivery: the `Stripe-Signature` header must
 * carry an HMAC of the exact raw body under the endpoint's signing secret,
 * with a timestamp within the tolerance (the official `stripe` package does
 * the check). A missing, forged, wrong-secret or stale signature is
 * `billing_signature_invalid`; a signed body that is not JSON is
 * `invalid_json`. Nothing is read from the body before it verifies.
 */
import Stripe from 'stripe';
import { AppError } from '../../base/errors.js';

/** Seconds a signature's timestamp may be away from now (Stripe's default). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function verifyStripeDelivery(
  raw: Buffer,
  signature: string | undefined,
  secret: string,
): unknown {
  if (signature === undefined || signature.length === 0 || signature.length > 8192) {
    throw new AppError(
      'billing_signature_invalid',
      'Missing or unreadable Stripe-Signature header',
    );
  }
  try {
    return Stripe.webhooks.constructEvent(raw, signature, secret, SIGNATURE_TOLERANCE_SECONDS);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new AppError('invalid_json', 'The signed body is not JSON');
    }
    throw new AppError(
      'billing_signature_invalid',
      'The Stripe signature does not verify (wrong secret, altered body or stale timestamp)',
    );
  }
}
