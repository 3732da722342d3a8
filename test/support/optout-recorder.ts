/**
 * The opt-out's ports for in-process tests: an OptOutMailer that records
 * codes and confirmations instead of mailing (`nextCode(email)` waits for
 * the next code to that address, as the sign-in recorder does), and an
 * OptOutScheduler that applies a due opt-out at once, in the request, and
 * keeps a later one in `later` for the test to apply.
 */
import type { Database } from '../../src/db/database.js';
import {
  applyOptOut,
  type OptOutApplied,
  type OptOutMailer,
  type OptOutScheduler,
  type PrivacyKeys,
} from '../../src/modules/contacts/index.js';

export interface OptOutRecorder extends OptOutMailer {
  readonly codes: { to: string; code: string }[];
  readonly confirmations: { to: string; deleteBy: Date }[];
  nextCode(email: string): Promise<string>;
}

export function optOutRecorder(): OptOutRecorder {
  const codes: { to: string; code: string }[] = [];
  const confirmations: { to: string; deleteBy: Date }[] = [];
  const waiting = new Map<string, ((code: string) => void)[]>();
  const consumed = new Map<string, number>();
  return {
    codes,
    confirmations,
    sendCode({ to, code }) {
      const key = to.toLowerCase();
      codes.push({ to: key, code });
      const waiter = waiting.get(key)?.shift();
      if (waiter !== undefined) {
        consumed.set(key, (consumed.get(key) ?? 0) + 1);
        waiter(code);
      }
      return Promise.resolve();
    },
    sendConfirmation({ to, deleteBy }) {
      confirmations.push({ to: to.toLowerCase(), deleteBy });
      return Promise.resolve();
    },
    nextCode(email) {
      const key = email.trim().toLowerCase();
      const seen = consumed.get(key) ?? 0;
      const ready = codes.filter((c) => c.to === key)[seen];
      if (ready !== undefined) {
        consumed.set(key, seen + 1);
        return Promise.resolve(ready.code);
      }
      return new Promise((resolve) => {
        waiting.set(key, [...(waiting.get(key) ?? []), resolve]);
      });
    },
  };
}

export interface TestScheduler extends OptOutScheduler {
  /** Opt-outs scheduled for later, by suppression id. */
  readonly later: { suppressionId: string; dueAt: Date }[];
  readonly applied: OptOutApplied[];
}

export function immediateScheduler(
  db: Pick<Database, 'withSystem' | 'withTenant'>,
  keys: PrivacyKeys,
): TestScheduler {
  const later: { suppressionId: string; dueAt: Date }[] = [];
  const applied: OptOutApplied[] = [];
  return {
    later,
    applied,
    async schedule(suppressionId, dueAt) {
      if (dueAt.getTime() > Date.now() + 1000) {
        later.push({ suppressionId, dueAt });
        return;
      }
      const result = await applyOptOut(db, keys, suppressionId);
      if (result !== null) applied.push(result);
    },
  };
}
