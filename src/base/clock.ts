/**
 * The process's clock. Normally the system's; with WARDROOM_TEST_CLOCK_FILE
 * (development and test only: config.ts refuses it in production) a clock a
 * test moves from outside the process, by writing the file: an ISO 8601
 * time, or an offset from the real time (`+8d`, `+36h`, `-90m`, `+30s`). The
 * file is read at each call, so a change applies to the next reading; an
 * absent or empty file is the real time, and an unreadable content throws
 * (a test that meant to move the clock must not silently run on real time).
 */
import { readFileSync } from 'node:fs';

export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** The time a test clock file's content stands for, at the real time `real`. */
export function readClockText(text: string, real: Date): Date {
  const value = text.trim();
  if (value === '') return real;
  const offset = /^([+-])(\d{1,9})([smhd])$/.exec(value);
  if (offset !== null) {
    const [, sign, amount, unit] = offset as unknown as [string, string, string, string];
    const ms = Number(amount) * (UNIT_MS[unit] ?? 0) * (sign === '-' ? -1 : 1);
    return new Date(real.getTime() + ms);
  }
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new Error(
    'WARDROOM_TEST_CLOCK_FILE holds neither an ISO 8601 time nor an offset such as +8d',
  );
}

/** A clock read from `file` at each call (see above). */
export function fileClock(file: string): Clock {
  return () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Date();
      throw error;
    }
    return readClockText(text, new Date());
  };
}

/** The clock the configuration asks for. */
export function clockFor(config: { readonly testClockFile: string | undefined }): Clock {
  return config.testClockFile === undefined ? systemClock : fileClock(config.testClockFile);
}
