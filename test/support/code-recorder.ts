/**
 * A SignInCodeSender that records instead of mailing, for tests of the
 * sign-in rules themselves (test/mail/sign-in-code.test.ts goes through the
 * real mailer and an SMTP server). `next(email)` resolves with the next
 * code sent to that address: sending is not awaited by the start route, so
 * a test waits for the event, never for time.
 */
import type { SignInCodeSender } from '../../src/modules/auth/index.js';

export interface SentCode {
  readonly to: string;
  readonly code: string;
  readonly language: string;
}

export interface CodeRecorder extends SignInCodeSender {
  readonly sent: readonly SentCode[];
  next(email: string): Promise<string>;
}

export function codeRecorder(): CodeRecorder {
  const sent: SentCode[] = [];
  const waiting = new Map<string, ((code: string) => void)[]>();
  const consumed = new Map<string, number>();
  return {
    sent,
    sendCode({ to, code, language }) {
      sent.push({ to, code, language });
      const waiter = waiting.get(to)?.shift();
      if (waiter !== undefined) {
        consumed.set(to, (consumed.get(to) ?? 0) + 1);
        waiter(code);
      }
      return Promise.resolve();
    },
    next(email) {
      const to = email.toLowerCase();
      const mine = sent.filter((s) => s.to === to);
      const seen = consumed.get(to) ?? 0;
      const ready = mine[seen];
      if (ready !== undefined) {
        consumed.set(to, seen + 1);
        return Promise.resolve(ready.code);
      }
      return new Promise((resolve) => {
        waiting.set(to, [...(waiting.get(to) ?? []), resolve]);
      });
    },
  };
}
