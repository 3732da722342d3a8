/**
 * What the budget tests share: a test app (real server and Postgres), a
 * workspace with a member and a token, guards as separate "processes" (each
 * its own pool and counters), scopes and reservation requests, and an
 * outbox mailer whose emails are files to count.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '../../src/base/config.js';
import { createLogger } from '../../src/base/logger.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import {
  systemPrincipal,
  tokenPrincipal,
  userPrincipal,
  type Principal,
} from '../../src/db/principal.js';
import {
  createBudgetGuard,
  type BudgetGuardDeps,
  type BudgetGuardService,
} from '../../src/modules/budgets/index.js';
import type {
  CallScope,
  KeySource,
  Reservation,
  ReservationRequest,
  Settlement,
} from '../../src/modules/gateway/index.js';
import { createMailer, type Mailer } from '../../src/modules/mail/index.js';
import { createApiToken } from '../../src/modules/tenancy/api-tokens.js';
import { memberToken, newWorkspace, type TestApp, type TestWorkspace } from '../support/app.js';
import { call } from '../support/http.js';

export interface BudgetWorkspace extends TestWorkspace {
  readonly memberId: string;
  readonly memberToken: string;
  /** An API token of the member (its id, for token budgets). */
  readonly tokenId: string;
}

export async function budgetWorkspace(t: TestApp): Promise<BudgetWorkspace> {
  const ws = await newWorkspace(t);
  const member = await memberToken(t, ws, 'member');
  const { id: tokenId } = await t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
    createApiToken(tx, { userId: member.userId, name: 'ci' }),
  );
  return { ...ws, memberId: member.userId, memberToken: member.token, tokenId };
}

export const OFFLINE: KeySource = { source: 'offline' };

export function scopeOf(
  ws: BudgetWorkspace,
  options: { token?: boolean; key?: KeySource; owner?: boolean } = {},
): CallScope {
  return {
    workspaceId: ws.id,
    userId: options.owner === true ? ws.ownerUserId : ws.memberId,
    tokenId: options.token === true ? ws.tokenId : null,
    key: options.key ?? OFFLINE,
  };
}

export function request(worstCaseMicros: bigint, worstCaseTokens = 100): ReservationRequest {
  return {
    operation: 'anthropic.messages',
    provider: 'anthropic',
    model: 'claude-test',
    worstCaseMicros,
    worstCaseTokens,
    callId: randomUUID(),
  };
}

export const usage = { inputTokens: 10, outputTokens: 20 };

/** A reservation as a test holds it: each step is its own transaction, as the caller's would be. */
export interface Held {
  readonly id: string;
  settle(actual: Settlement): Promise<void>;
  release(): Promise<void>;
}

/**
 * The guard with each step in a transaction of its own, opened as the
 * gateway opens the call's (the caller, with the call id as correlation id),
 * so the tests drive reserve, settle and release one at a time.
 */
export interface TestGuard {
  reserve(scope: CallScope, request: ReservationRequest): Promise<Held>;
  idle(): Promise<void>;
}

function principalFor(scope: CallScope, callId: string): Principal {
  return scope.tokenId === null
    ? userPrincipal(scope.workspaceId, scope.userId, { correlationId: callId })
    : tokenPrincipal(
        { tenantId: scope.workspaceId, tokenId: scope.tokenId },
        { correlationId: callId },
      );
}

function inTransactions(guard: BudgetGuardService, db: Database): TestGuard {
  return {
    async reserve(scope, request) {
      const principal = principalFor(scope, request.callId);
      let held: Reservation | undefined;
      try {
        await db.withTenant(principal, async (tx) => {
          held = await guard.reserve(tx, scope, request);
        });
      } catch (error) {
        await held?.abandon();
        throw error;
      }
      const reservation = held;
      if (reservation === undefined) throw new Error('reserve answered nothing');
      return {
        id: reservation.id,
        async settle(actual) {
          const next = await db.withTenant(principal, (tx) => reservation.settle(tx, actual));
          next();
        },
        async release() {
          await db.withTenant(principal, (tx) => reservation.release(tx));
        },
      };
    },
    idle: () => guard.idle(),
  };
}

/** A guard on its own pool, as another server process would have. */
export function openGuard(
  deps: Omit<BudgetGuardDeps, 'db'> = {},
  poolMax = 4,
): Promise<{ guard: TestGuard; db: Database; close(): Promise<void> }> {
  const db = createDatabase({ appUrl: inject('appUrl'), poolMax });
  const service = createBudgetGuard({ db, ...deps });
  return Promise.resolve({
    guard: inTransactions(service, db),
    db,
    async close() {
      await service.idle();
      await db.close();
    },
  });
}

/** A real mailer writing each email to a fresh outbox folder. */
export function outboxMailer(): { mailer: Mailer; emails(): { to: string; subject: string }[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'wardroom-budgets-'));
  const config = loadConfig({ WARDROOM_DATA_DIR: dir });
  const mailer = createMailer(config.mail, createLogger('silent'));
  const outbox = path.join(dir, 'outbox');
  return {
    mailer,
    emails() {
      let files: string[];
      try {
        files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
      } catch {
        return [];
      }
      return files.map((f) => {
        const text = readFileSync(path.join(outbox, f), 'utf8');
        return {
          to: /^To: (.*)$/m.exec(text)?.[1]?.trim() ?? '',
          subject: /^Subject: (.*)$/m.exec(text)?.[1]?.trim() ?? '',
        };
      });
    },
  };
}

/** Creates a budget over HTTP as the owner; returns its id. */
export async function makeBudget(
  t: TestApp,
  ws: BudgetWorkspace,
  body: Record<string, unknown>,
): Promise<string> {
  const res = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/llm/budgets`, {
    token: ws.ownerToken,
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`budget not created: ${res.body}`);
  return res.json<{ id: string }>().id;
}
