import { describe, expect, it } from 'vitest';
import { isTenantBound } from './tenant-bound.js';

describe('isTenantBound', () => {
  const printed = `(tenant_id = ( SELECT (NULLIF(current_setting('wardroom.tenant_id'::text, true), ''::text))::uuid AS "nullif"))`;

  it.each([
    printed,
    `(tenant_id = (NULLIF(current_setting('wardroom.tenant_id'::text, true), ''::text))::uuid)`,
    `((current_setting('wardroom.tenant_id'::text))::uuid = tenant_id)`,
    `((kind = 'a'::text) AND ${printed})`,
  ])('accepts %s', (expr) => {
    expect(isTenantBound(expr)).toBe(true);
  });

  it.each([
    null,
    'true',
    `(${printed} OR true)`,
    `(tenant_id = COALESCE((current_setting('wardroom.tenant_id'::text))::uuid, tenant_id))`,
    `(tenant_id = (current_setting('wardroom.other'::text))::uuid)`,
    `(owner_id = (current_setting('wardroom.tenant_id'::text))::uuid)`,
    `(tenant_id <> (current_setting('wardroom.tenant_id'::text))::uuid)`,
  ])('rejects %s', (expr) => {
    expect(isTenantBound(expr)).toBe(false);
  });
});
