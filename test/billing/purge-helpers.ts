/**
 * What the purge tests share: Stripe subscription events signed with a test
 * secret (the official package), a real SMTP capture and a mailer sending
 * to it, and the purge's dependencies built on a test app's parts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { loadConfig } from '../../src/base/config.js';
import { createLogger } from '../../src/base/logger.js';
import type { PurgeDeps } from '../../src/modules/billing/index.js';
import { signerFromSeed } from '../../src/modules/crypto/primitives/ed25519.js';
import { createMailer, type Mailer } from '../../src/modules/mail/index.js';
import type { TestApp } from '../support/app.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

export const SECRET = `whsec_${randomBytes(16).toString('hex')}`;
export const PLANS = [{ id: 'team', label: 'Team', prices: ['price_team1'] }];

let created = Math.floor(Date.now() / 1000) - 5000;

/** A signed `customer.subscription.*` delivery for the workspace, posted to the webhook. */
export async function subscription(
  t: TestApp,
  workspaceId: string,
  status: 'active' | 'canceled',
  type = status === 'canceled' ? 'customer.subscription.deleted' : 'customer.subscription.updated',
): Promise<void> {
  created += 1;
  const payload = JSON.stringify({
    id: `evt_${randomBytes(8).toString('hex')}`,
    object: 'event',
    type,
    created,
    data: {
      object: {
        id: `sub_${workspaceId.replaceAll('-', '').slice(0, 12)}`,
        object: 'subscription',
        customer: 'cus_P1',
        status,
        cancel_at_period_end: false,
        metadata: { workspace_id: workspaceId },
        items: { object: 'list', data: [{ price: { id: 'price_team1' } }] },
      },
    },
  });
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/billing/stripe/webhook',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }),
    },
    payload,
  });
  if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}: ${res.body}`);
}

/** A real SMTP server and a mailer that sends to it. */
export async function smtpMailer(): Promise<{ smtp: TestSmtp; mailer: Mailer }> {
  const smtp = await startSmtp();
  const config = loadConfig({
    WARDROOM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'wardroom-purge-mail-')),
    WARDROOM_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
  });
  return { smtp, mailer: createMailer(config.mail, createLogger('silent')) };
}

/** The purge's dependencies on a test app, with a signer from `seed` and the given clock. */
export function purgeDeps(
  t: TestApp,
  mailer: Mailer,
  clock: () => Date,
  seed: Buffer = randomBytes(32),
): PurgeDeps {
  return {
    db: t.db,
    keyring: t.keyring,
    signer: signerFromSeed(seed),
    storage: t.storage,
    mailer,
    clock,
  };
}
