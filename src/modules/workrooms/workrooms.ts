/**
 * Workrooms and their conversations. Tenant filtering is RLS's job: these
 * queries never say `where tenant_id = ?`; they only set tenant_id on insert
 * (and the policy's WITH CHECK refuses any other value).
 */
import { v7 as uuidv7 } from 'uuid';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import { decodeCursor, toPage } from '../../db/cursor.js';

export interface WorkroomView {
  readonly id: string;
  readonly name: string;
  readonly created_by: string;
  readonly created_at: string;
}

export interface ConversationView {
  readonly id: string;
  readonly workroom_id: string;
  readonly title: string | null;
  readonly created_by: string;
  readonly created_at: string;
}

export async function createWorkroom(
  tx: TenantTx,
  input: { name: string; createdBy: string },
): Promise<WorkroomView> {
  const row = await tx
    .insertInto('workrooms')
    .values({
      tenant_id: principalOf(tx).tenantId,
      id: uuidv7(),
      name: input.name,
      created_by: input.createdBy,
    })
    .returning(['id', 'name', 'created_by', 'created_at'])
    .executeTakeFirstOrThrow();
  return { ...row, created_at: row.created_at.toISOString() };
}

export async function listWorkrooms(
  tx: TenantTx,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: WorkroomView[]; next_cursor: string | null }> {
  const after = decodeCursor(page.cursor);
  let query = tx.selectFrom('workrooms').select(['id', 'name', 'created_by', 'created_at']);
  if (after !== undefined) query = query.where('id', '>', after);
  const rows = await query
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  return toPage(
    rows.map((r) => ({ ...r, created_at: r.created_at.toISOString() })),
    page.limit,
  );
}

export async function getWorkroom(tx: TenantTx, id: string): Promise<WorkroomView> {
  const row = await tx
    .selectFrom('workrooms')
    .select(['id', 'name', 'created_by', 'created_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', 'Workroom not found');
  return { ...row, created_at: row.created_at.toISOString() };
}

export async function createConversation(
  tx: TenantTx,
  input: { workroomId: string; title: string | null; createdBy: string },
): Promise<ConversationView> {
  await getWorkroom(tx, input.workroomId);
  const row = await tx
    .insertInto('conversations')
    .values({
      tenant_id: principalOf(tx).tenantId,
      id: uuidv7(),
      workroom_id: input.workroomId,
      title: input.title,
      created_by: input.createdBy,
    })
    .returning(['id', 'workroom_id', 'title', 'created_by', 'created_at'])
    .executeTakeFirstOrThrow();
  return { ...row, created_at: row.created_at.toISOString() };
}

export async function assertConversationExists(tx: TenantTx, id: string): Promise<void> {
  const row = await tx
    .selectFrom('conversations')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', 'Conversation not found');
}
