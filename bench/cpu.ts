/**
 * CPU spent per request, split between the target's Node process and the
 * PostgreSQL backends serving its pool (found by application_name). Read
 * from /proc, so only on Linux with the database on this machine; NaN
 * otherwise. On a shared 2-core box this is what decides throughput.
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';

export interface CpuUse {
  /** CPU milliseconds used by the target process. */
  readonly node: number;
  /** CPU milliseconds used by its PostgreSQL backends. */
  readonly pg: number;
}

export interface CpuMeter {
  measure<T>(
    pid: number,
    appName: string,
    fn: () => Promise<T>,
  ): Promise<{ result: T; cpu: CpuUse }>;
  close(): Promise<void>;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

async function cpuMs(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

async function snapshot(pids: readonly number[]): Promise<Map<number, number>> {
  const entries = await Promise.all(pids.map(async (pid) => [pid, await cpuMs(pid)] as const));
  return new Map(entries.filter((e): e is readonly [number, number] => e[1] !== undefined));
}

/** CPU used between two snapshots by the processes alive at the end (new ones from zero). */
function used(before: Map<number, number>, after: Map<number, number>): number {
  if (after.size === 0) return Number.NaN;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

export async function openCpuMeter(adminUrl: string): Promise<CpuMeter> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const backends = async (appName: string): Promise<number[]> => {
    const { rows } = await admin.query<{ pid: number }>(
      'select pid from pg_stat_activity where application_name = $1',
      [appName],
    );
    return rows.map((r) => r.pid);
  };
  return {
    async measure(pid, appName, fn) {
      const nodeBefore = await snapshot([pid]);
      const pgBefore = await snapshot(await backends(appName));
      const result = await fn();
      const pgAfter = await snapshot(await backends(appName));
      const nodeAfter = await snapshot([pid]);
      return { result, cpu: { node: used(nodeBefore, nodeAfter), pg: used(pgBefore, pgAfter) } };
    },
    close: () => admin.end(),
  };
}

/** The application_name a target's pool connects with. */
export const appNameOf = (kind: string): string => `wardroom-bench-${kind}`;
