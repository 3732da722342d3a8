/**
 * Receiving, reading and listing privacy requests. A request gets its law
 * and deadline when it is received, from the workspace's region at that
 * moment and the requester's stated jurisdiction (laws.ts); they never
 * change afterwards, not even when the region does. Tenant filtering is
 * RLS's job: these queries only set tenant_id on insert.
 */
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../../base/errors.js';
import { decodeCursor, toPage } from '../../db/cursor.js';
import type { PrivacyRequestState } from '../../db/schema-privacy.js';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import type { Keyring } from '../keys/index.js';
import { dateOf } from './calendar.js';
import { chooseLaw, type RequestType } from './laws.js';
import { workspaceRegion } from './region.js';
import {
  fieldRef,
  OPEN_STATES,
  REQUEST_COLUMNS,
  requestNotFound,
  toView,
  toViews,
  type RequestRow,
  type RequestView,
  type SealedColumn,
} from './store.js';

export interface PrivacyDeps {
  readonly keyring: Pick<Keyring, 'seal' | 'openMany'>;
  /** Now (tests move it). */
  readonly clock: () => Date;
}

export interface ReceiveInput {
  readonly type: RequestType;
  readonly jurisdiction?: string | undefined;
  readonly subject: {
    readonly userId?: string | undefined;
    readonly email?: string | undefined;
    readonly name?: string | undefined;
  };
  readonly details?: string | undefined;
  readonly createdBy: string;
}

export async function receiveRequest(
  tx: TenantTx,
  deps: PrivacyDeps,
  input: ReceiveInput,
): Promise<RequestView> {
  const { userId, email, name } = input.subject;
  if (userId === undefined && email === undefined) {
    throw new AppError('validation_failed', 'Name the subject: a user id, an email, or both');
  }
  if (userId !== undefined) {
    const member = await tx
      .selectFrom('memberships')
      .select('user_id')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (member === undefined) {
      throw new AppError('validation_failed', 'subject.user_id is not a member of this workspace');
    }
  }
  const region = await workspaceRegion(tx);
  const received = deps.clock();
  const { law, dueOn } = chooseLaw({
    region,
    jurisdiction: input.jurisdiction,
    type: input.type,
    received: dateOf(received),
  });
  const id = uuidv7();
  const seal = async (column: SealedColumn, value: string | undefined) =>
    value === undefined || value === ''
      ? null
      : deps.keyring.seal(tx, fieldRef(id, column), Buffer.from(value, 'utf8'));
  const row = await tx
    .insertInto('privacy_requests')
    .values({
      tenant_id: principalOf(tx).tenantId,
      id,
      type: input.type,
      subject_user_id: userId ?? null,
      subject_email_sealed: await seal('subject_email_sealed', email),
      subject_name_sealed: await seal('subject_name_sealed', name),
      details_sealed: await seal('details_sealed', input.details),
      jurisdiction: input.jurisdiction ?? null,
      region,
      law,
      received_at: received,
      due_on: dueOn,
      created_by: input.createdBy,
    })
    .returning(REQUEST_COLUMNS)
    .executeTakeFirstOrThrow();
  // Type, law and deadline only: who asked stays in the sealed row.
  await recordEvent(tx, {
    action: 'privacy.request.received',
    targets: [{ type: 'privacy_request', id }],
    metadata: { type: input.type, law, due_on: dueOn },
  });
  return toView(tx, deps.keyring, row, received);
}

export async function getRequest(
  tx: TenantTx,
  deps: PrivacyDeps,
  id: string,
): Promise<RequestView> {
  const row = await tx
    .selectFrom('privacy_requests')
    .select(REQUEST_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw requestNotFound();
  return toView(tx, deps.keyring, row, deps.clock());
}

export type StateFilter = 'open' | 'all' | PrivacyRequestState;

/** Requests oldest first, with their personal fields opened. */
export async function listRequests(
  tx: TenantTx,
  deps: PrivacyDeps,
  input: { limit: number; cursor?: string | undefined; state: StateFilter },
): Promise<{ items: RequestView[]; next_cursor: string | null }> {
  const after = decodeCursor(input.cursor);
  let query = tx.selectFrom('privacy_requests').select(REQUEST_COLUMNS);
  if (input.state === 'open') query = query.where('state', 'in', OPEN_STATES);
  else if (input.state !== 'all') query = query.where('state', '=', input.state);
  if (after !== undefined) query = query.where('id', '>', after);
  const rows = (await query
    .orderBy('id')
    .limit(input.limit + 1)
    .execute()) as RequestRow[];
  const { next_cursor } = toPage(rows, input.limit);
  const items = await toViews(tx, deps.keyring, rows.slice(0, input.limit), deps.clock());
  return { items, next_cursor };
}
