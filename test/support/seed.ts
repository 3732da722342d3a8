/**
 * A realistic tenant, written the way the application writes: through
 * createDatabase() as the app role and withTenant(), so RLS and grants apply.
 * It must put at least one row in every tenant table; the isolation tests
 * fail with "seed.ts must cover new table X" when a migration adds a table
 * this file does not fill.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { userPrincipal, type Principal } from '../../src/db/principal.js';

export interface SeededTenant {
  readonly tenantId: string;
  readonly ownerId: string;
  readonly memberId: string;
  readonly tokenId: string;
  readonly workroomId: string;
  readonly conversationId: string;
  readonly messageIds: readonly string[];
}

export function principalFor(tenantId: string, actorId: string = randomUUID()): Principal {
  return userPrincipal(tenantId, actorId);
}

export async function seedTenant(db: Database, label = 'Tenant'): Promise<SeededTenant> {
  const tenantId = randomUUID();
  const tag = randomBytes(4).toString('hex');
  return db.withTenant(principalFor(tenantId), async (tx) => {
    await tx
      .insertInto('workspaces')
      .values({ tenant_id: tenantId, name: `${label} ${tag}`, region: 'eu', plan: 'team' })
      .execute();
    const ensureUser = async (email: string, name: string): Promise<string> => {
      const { rows } = await sql<{ id: string }>`
        select wardroom.ensure_user(${email}, ${name}) as id`.execute(tx);
      const id = rows[0]?.id;
      if (id === undefined) throw new Error('ensure_user returned no id');
      return id;
    };
    const ownerId = await ensureUser(`owner-${tag}@example.test`, `Owner ${tag}`);
    const memberId = await ensureUser(`member-${tag}@example.test`, `Member ${tag}`);
    await tx
      .insertInto('memberships')
      .values([
        { tenant_id: tenantId, user_id: ownerId, role: 'owner', named_roles: ['founder'] },
        { tenant_id: tenantId, user_id: memberId, role: 'member' },
      ])
      .execute();
    const tokenId = randomUUID();
    await tx
      .insertInto('api_tokens')
      .values({
        tenant_id: tenantId,
        id: tokenId,
        user_id: ownerId,
        name: 'ci deploys',
        secret_hash: randomBytes(32),
      })
      .execute();
    await tx
      .insertInto('workspace_keys')
      .values({
        tenant_id: tenantId,
        version: 1,
        key_id: randomUUID(),
        kek_id: 'local-kek',
        kek_version: 1,
        wrapped_key: randomBytes(72),
      })
      .execute();
    await tx
      .insertInto('workspace_root_keys')
      .values({
        tenant_id: tenantId,
        store: 'vault-transit',
        ref: `wardroom-ws-${tenantId}`,
        sealed_secret: randomBytes(60),
      })
      .execute();
    const workroomId = randomUUID();
    await tx
      .insertInto('workrooms')
      .values({ tenant_id: tenantId, id: workroomId, name: 'Q3 board pack', created_by: ownerId })
      .execute();
    const conversationId = randomUUID();
    await tx
      .insertInto('conversations')
      .values({
        tenant_id: tenantId,
        id: conversationId,
        workroom_id: workroomId,
        title: 'Runway scenarios',
        created_by: memberId,
      })
      .execute();
    const messageIds = [randomUUID(), randomUUID()];
    await tx
      .insertInto('messages')
      .values([
        {
          tenant_id: tenantId,
          id: messageIds[0]!,
          conversation_id: conversationId,
          author_type: 'user',
          author_id: memberId,
          content: randomBytes(96),
        },
        {
          tenant_id: tenantId,
          id: messageIds[1]!,
          conversation_id: conversationId,
          author_type: 'agent',
          author_id: null,
          content: randomBytes(160),
        },
      ])
      .execute();
    // Credentials: sealed bytes stand for envelopes; one active, one revoked (wiped).
    await tx
      .insertInto('credential_fingerprint_keys')
      .values({ tenant_id: tenantId, key: randomBytes(78) })
      .execute();
    await tx
      .insertInto('integration_credentials')
      .values([
        {
          tenant_id: tenantId,
          id: randomUUID(),
          kind: 'llm_api_key',
          provider: 'anthropic',
          label: 'Anthropic production',
          secret: randomBytes(120),
          fingerprint: randomBytes(8).toString('hex'),
          last4: 'a1b2',
          created_by: ownerId,
        },
        {
          tenant_id: tenantId,
          id: randomUUID(),
          kind: 'oauth',
          provider: 'notion',
          label: 'Notion (old)',
          secret: null,
          fingerprint: randomBytes(8).toString('hex'),
          last4: null,
          status: 'revoked',
          created_by: ownerId,
          revoked_at: new Date(),
        },
      ])
      .execute();
    // Single sign-on: an OIDC connection (sealed bytes for its secret) and the policy.
    await tx
      .insertInto('sso_connections')
      .values({
        tenant_id: tenantId,
        id: randomUUID(),
        kind: 'oidc',
        name: 'Okta',
        allowed_domains: ['example.test'],
        jit_role: 'member',
        oidc_issuer: 'https://example.okta.com',
        oidc_client_id: `client-${tag}`,
        oidc_client_secret: randomBytes(90),
        oidc_client_secret_last4: 'wxyz',
      })
      .execute();
    await tx
      .insertInto('sso_policies')
      .values({ tenant_id: tenantId, require_sso: true })
      .execute();
    // The LLM response cache's settings (sealed bytes for its salt).
    await tx
      .insertInto('llm_cache_settings')
      .values({
        tenant_id: tenantId,
        enabled: true,
        ttl_seconds: 600,
        salt: randomBytes(80),
        salt_version: 1,
      })
      .execute();
    // An agent (sealed bytes for its prompt) and a finished run that wrote the agent message.
    const agentId = randomUUID();
    await tx
      .insertInto('agents')
      .values({
        tenant_id: tenantId,
        id: agentId,
        name: 'Analyst',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        system_prompt: randomBytes(140),
        max_output_tokens: 1024,
        created_by: ownerId,
      })
      .execute();
    await tx
      .insertInto('agent_runs')
      .values({
        tenant_id: tenantId,
        conversation_id: conversationId,
        agent_id: agentId,
        requested_by: memberId,
        status: 'succeeded',
        reply_message_id: messageIds[1]!,
        input_tokens: 120,
        output_tokens: 80,
        cost_micros: '1560',
        call_id: randomUUID(),
        started_at: new Date(),
        finished_at: new Date(),
      })
      .execute();
    // A contact (022): sealed bytes for its fields, a 32-byte blind index.
    await tx
      .insertInto('contacts')
      .values({
        tenant_id: tenantId,
        id: randomUUID(),
        name: randomBytes(60),
        email: randomBytes(70),
        company: randomBytes(60),
        notes: null,
        email_index: randomBytes(32),
        created_by: ownerId,
      })
      .execute();
    // A privacy request (021): a sealed requester's email, the law and deadline fixed at receipt.
    await tx
      .insertInto('privacy_requests')
      .values({
        tenant_id: tenantId,
        id: randomUUID(),
        type: 'access',
        subject_email_sealed: randomBytes(80),
        jurisdiction: 'DE',
        region: 'eu',
        law: 'gdpr',
        due_on: '2026-12-29',
        created_by: ownerId,
      })
      .execute();
    // An export record (028): a member's personal export, queued.
    await tx
      .insertInto('privacy_exports')
      .values({
        tenant_id: tenantId,
        id: randomUUID(),
        scope: 'personal',
        form: 'readable',
        requested_by: ownerId,
      })
      .execute();
    // Billing (023): the workspace's Stripe subscription and one applied event.
    await tx
      .insertInto('workspace_billing')
      .values({
        tenant_id: tenantId,
        stripe_customer_id: `cus_${randomBytes(8).toString('hex')}`,
        stripe_subscription_id: `sub_${randomBytes(8).toString('hex')}`,
        subscription_status: 'active',
        last_event_at: new Date(),
      })
      .execute();
    await tx
      .insertInto('billing_events')
      .values({
        tenant_id: tenantId,
        event_id: `evt_${randomBytes(8).toString('hex')}`,
        event_type: 'customer.subscription.updated',
        event_created_at: new Date(),
      })
      .execute();
    // Stored objects (030): one object's sealed content key (random bytes stand for it).
    await tx
      .insertInto('storage_objects')
      .values({
        tenant_id: tenantId,
        object_key: `tenants/${tenantId}/exports/seed.zip`,
        content_key: randomBytes(90),
        size: 1234,
      })
      .execute();
    // The post-cancellation purge (027): turned on, nothing scheduled.
    await tx
      .insertInto('workspace_purges')
      .values({ tenant_id: tenantId, enabled: true })
      .execute();
    // LLM budgets (016): a workspace and a member budget, a settled call, limits, a suspension.
    await tx
      .insertInto('llm_budgets')
      .values([
        {
          tenant_id: tenantId,
          scope: 'workspace',
          period: 'month',
          hard_limit_micros: 50_000_000n,
        },
        {
          tenant_id: tenantId,
          scope: 'member',
          user_id: memberId,
          period: 'day',
          hard_limit_micros: 5_000_000n,
          soft_limit_micros: 4_000_000n,
        },
      ])
      .execute();
    await tx
      .insertInto('llm_usage')
      .values({
        tenant_id: tenantId,
        id: randomUUID(),
        user_id: memberId,
        token_id: tokenId,
        key_source: 'offline',
        provider: 'offline',
        model: 'offline-echo',
        reserved_tokens: 300,
        reserved_micros: 1200n,
        expires_at: new Date(Date.now() + 600_000),
      })
      .execute();
    await tx
      .insertInto('llm_limits')
      .values({ tenant_id: tenantId, requests_per_minute: 600, tokens_per_minute: 100_000 })
      .execute();
    await tx
      .insertInto('llm_key_suspensions')
      .values({
        tenant_id: tenantId,
        key_source: 'platform',
        provider: 'anthropic',
        window_micros: 90_000_000n,
        threshold_micros: 20_000_000n,
      })
      .execute();
    // audit_log fills itself (triggers) and sealing creates the chain head;
    // a checkpoint row stands for the signed checkpoints the audit module writes.
    await sql`select wardroom.audit_seal()`.execute(tx);
    await tx
      .insertInto('audit_checkpoints')
      .values({
        tenant_id: tenantId,
        seq: '1',
        hash: randomBytes(32),
        key_id: 'seed',
        signature: randomBytes(64),
      })
      .execute();
    // A finished key rotation's checkpoint and a shred receipt (key rotation module).
    await tx
      .insertInto('key_rotations')
      .values({ tenant_id: tenantId, from_versions: [1], to_version: 2, status: 'done' })
      .execute();
    await tx
      .insertInto('shred_receipts')
      .values({
        tenant_id: tenantId,
        id: randomUUID(),
        receipt: JSON.stringify({ v: 1, tenant_id: tenantId }),
        signing_key_id: 'seed',
        signature: randomBytes(64),
      })
      .execute();
    return { tenantId, ownerId, memberId, tokenId, workroomId, conversationId, messageIds };
  });
}
