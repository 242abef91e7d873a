import { readdir, readFile } from 'node:fs/promises';
import { clockTicksPerSecond, cpuMs } from './proc';

/** The fields of one /proc/<pid>/stat line a process tree's CPU needs, in clock ticks. */
export interface StatTimes {
  ppid: number;
  /** utime + stime: the process itself, all its threads. */
  self: number;
  /** cutime + cstime: children it has waited for (a PostgreSQL backend that ended, for the postmaster). */
  reaped: number;
}

export function parseStatTimes(stat: string): StatTimes | undefined {
  // As proc.ts: the command name (field 2) may hold spaces and ')'; fields from 3 (state) on.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = stat
    .slice(close + 2)
    .split(' ')
    .map(Number);
  // ppid is field 4, utime 14, stime 15, cutime 16, cstime 17: indexes 1, 11, 12, 13 and 14 here.
  const [ppid, utime, stime, cutime, cstime] = [f[1], f[11], f[12], f[13], f[14]];
  const all = [ppid, utime, stime, cutime, cstime];
  if (!all.every((n) => Number.isInteger(n))) return undefined;
  return {
    ppid: ppid as number,
    self: (utime as number) + (stime as number),
    reaped: (cutime as number) + (cstime as number),
  };
}

/**
 * Ticks a process tree one level deep has used: the parent, the children it reaped, and its live
 * children. A backend that ends between two samples moves from "live" to "reaped" with its whole
 * time, so the difference of two samples counts it once.
 */
export function treeTicks(parentPid: number, stats: ReadonlyMap<number, StatTimes>): number | undefined {
  const parent = stats.get(parentPid);
  if (!parent) return undefined;
  let ticks = parent.self + parent.reaped;
  for (const s of stats.values()) if (s.ppid === parentPid) ticks += s.self;
  return ticks;
}

async function allStats(): Promise<Map<number, StatTimes>> {
  const stats = new Map<number, StatTimes>();
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const times = parseStatTimes(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
    if (times) stats.set(pid, times);
  }
  return stats;
}

/** CPU ms of PostgreSQL so far: the postmaster, and every backend and background process under it. */
export async function postgresCpuMs(postmasterPid: number | undefined): Promise<number> {
  if (!postmasterPid) return Number.NaN;
  const ticks = treeTicks(postmasterPid, await allStats());
  return ticks === undefined ? Number.NaN : (ticks * 1000) / clockTicksPerSecond();
}

/** CPU ms so far of each group of processes (a process gone is NaN: its group's figure is not to be trusted). */
export async function groupsCpuMs<K extends string>(groups: Record<K, readonly number[]>): Promise<Record<K, number>> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(groups) as K[]) {
    let sum = 0;
    for (const pid of groups[key]) sum += (await cpuMs(pid)) ?? Number.NaN;
    out[key] = sum;
  }
  return out;
}
