/**
 * Copies an export's running counts (rows written per file, filled by the
 * zip as it reads) to its record every `ms`, one write at a time and only
 * when they changed, so a poller sees the export move without each page
 * costing a transaction (each update is also an audit row).
 */
import type { EntryCounts } from './zip.js';

export interface ProgressReporter {
  /** Stops the timer and waits for a write in flight; a failed write is ignored. */
  stop(): Promise<void>;
}

export function reportProgress(
  counts: EntryCounts,
  ms: number,
  write: (progress: EntryCounts) => Promise<void>,
): ProgressReporter {
  let last = '{}';
  let inFlight: Promise<void> | undefined;
  const tick = (): void => {
    if (inFlight !== undefined) return;
    const now = JSON.stringify(counts);
    if (now === last) return;
    last = now;
    inFlight = write({ ...counts })
      .catch(() => undefined) // progress is a hint: the export goes on
      .finally(() => {
        inFlight = undefined;
      });
  };
  const timer = setInterval(tick, ms);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
