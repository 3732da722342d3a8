/**
 * A person's name, IP address and user agent in the audit log, sealed
 * under their own key (person-keys.ts) in the form of personal-seal.ts.
 * Sealing happens once per principal (a request's principal opens several
 * transactions; each reuses the sealed strings) and costs no database round
 * trip once the person's key is cached. Readers (Activity, the privacy
 * export) open what they list; exports for verification carry the sealed
 * strings exactly as hashed.
 */
import {
  isPersonalName,
  type AuditPersonal,
  type AuditPersonalFields,
} from '../../db/audit-personal.js';
import type { Principal } from '../../db/principal.js';
import { auditSealerOf, type TenantTx } from '../../db/tenant-tx.js';
import type { KekProvider } from '../crypto/index.js';
import type { AuditRecord } from './event.js';
import { PersonKeys, trackPersonKeys, type PersonKeyOptions } from './person-keys.js';
import {
  ERASED,
  isPerson,
  isSealed,
  openValue,
  sealedPerson,
  sealValue,
  UNREADABLE,
  type PersonalField,
} from './personal-seal.js';

/** The longest user agent stored (as before sealing). */
const USER_AGENT_CHARS = 512;

export class AuditPersonalSealer implements AuditPersonal {
  readonly keys: PersonKeys;
  private readonly memo = new WeakMap<Principal, AuditPersonalFields>();

  constructor(kek: KekProvider, options: PersonKeyOptions = {}) {
    this.keys = new PersonKeys(kek, options);
    trackPersonKeys(this.keys);
  }

  seal(tx: TenantTx, principal: Principal): Promise<AuditPersonalFields> | AuditPersonalFields {
    return this.memo.get(principal) ?? this.sealFresh(tx, principal);
  }

  private async sealFresh(tx: TenantTx, principal: Principal): Promise<AuditPersonalFields> {
    const personalName = isPersonalName(principal);
    const clear: [PersonalField, string][] = [];
    if (principal.actorName !== undefined && personalName) {
      clear.push(['actor_name', principal.actorName]);
    }
    if (principal.ip !== undefined) clear.push(['ip', principal.ip]);
    if (principal.userAgent !== undefined) {
      clear.push(['user_agent', principal.userAgent.slice(0, USER_AGENT_CHARS)]);
    }
    const software =
      principal.actorName !== undefined && !personalName ? { actorName: principal.actorName } : {};
    const person = `${principal.actorType}:${principal.actorId}`;
    if (clear.length === 0 || !isPerson(person)) {
      // Nothing personal, or an actor with no key of its own: nothing of a person is stored.
      this.memo.set(principal, software);
      return software;
    }
    const { key, durable } = await this.keys.keyFor(tx, person);
    const place = { tenantId: principal.tenantId, person, correlationId: principal.correlationId };
    const sealed: Partial<Record<PersonalField, string>> = {};
    for (const [field, value] of clear) sealed[field] = sealValue(key, { ...place, field }, value);
    const fields: AuditPersonalFields = {
      ...software,
      ...(sealed.actor_name === undefined ? {} : { actorName: sealed.actor_name }),
      ...(sealed.ip === undefined ? {} : { ip: sealed.ip }),
      ...(sealed.user_agent === undefined ? {} : { userAgent: sealed.user_agent }),
    };
    if (durable) this.memo.set(principal, fields);
    return fields;
  }
}

/** The sealer for personal audit fields, for createDatabase({ auditPersonal }). */
export function createAuditPersonal(
  kek: KekProvider,
  options: PersonKeyOptions = {},
): AuditPersonalSealer {
  return new AuditPersonalSealer(kek, options);
}

/** A person's fields of an event as a reader shows them (opened, or a marker). */
export interface PersonalView {
  readonly actor_name?: string;
  readonly ip?: string;
  readonly user_agent?: string;
}

/** An event as stored (so its hash can be recomputed), with its person's fields readable. */
export type ReadableRecord = AuditRecord & { readonly personal: PersonalView };

/**
 * The records as stored, each with `personal`: every sealed field opened
 * while the person's key exists, `[erased]` once it was erased,
 * `[unreadable]` when it does not open where it is (moved, altered) or
 * this database has no sealer; clear values (written before sealing
 * existed, or a software actor's name) as they are.
 */
export async function openAuditRecords(
  tx: TenantTx,
  records: readonly AuditRecord[],
): Promise<ReadableRecord[]> {
  const persons = new Set<string>();
  const actorOf = (r: AuditRecord): string => `${r.actor_type}:${r.actor_id ?? ''}`;
  for (const r of records) {
    for (const value of [r.actor_name, r.context['ip'], r.context['user_agent']]) {
      const person = typeof value === 'string' ? sealedPerson(value, actorOf(r)) : undefined;
      if (person !== undefined) persons.add(person);
    }
  }
  const sealer = auditSealerOf(tx);
  const keys =
    persons.size > 0 && sealer instanceof AuditPersonalSealer
      ? new Map(await sealer.keys.read(tx, [...persons]))
      : new Map<string, Buffer>();
  const open = (r: AuditRecord, field: PersonalField, value: string): string => {
    if (!isSealed(value)) return value;
    const person = sealedPerson(value, actorOf(r));
    if (person === undefined || sealer === undefined) return UNREADABLE;
    const key = keys.get(person);
    if (key === undefined) return ERASED;
    const place = { tenantId: r.tenant_id, person, field, correlationId: r.correlation_id };
    try {
      return openValue(key, place, value);
    } catch {
      return UNREADABLE;
    }
  };
  return records.map((r) => ({ ...r, personal: personalView(r, open) }));
}

function personalView(
  r: AuditRecord,
  open: (r: AuditRecord, field: PersonalField, value: string) => string,
): PersonalView {
  const view: Partial<Record<PersonalField, string>> = {};
  if (r.actor_name !== null) view.actor_name = open(r, 'actor_name', r.actor_name);
  for (const field of ['ip', 'user_agent'] as const) {
    const value = r.context[field];
    if (typeof value === 'string') view[field] = open(r, field, value);
  }
  return view;
}
