import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** utime and stime of one /proc/<pid>/stat line, in clock ticks (all threads of the process). */
export function parseProcStat(stat: string): { utime: number; stime: number } | undefined {
  // The command name (field 2) is in parentheses and may itself hold spaces and ')': cut after the last one.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // From field 3 (state) on: utime is field 14, stime field 15, so indexes 11 and 12 here.
  const fields = stat.slice(close + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isInteger(utime) && Number.isInteger(stime) ? { utime, stime } : undefined;
}

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of /proc's CPU times: `getconf CLK_TCK`, 100 when getconf is missing. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    let hz = Number.NaN;
    try {
      hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      // No getconf (a slim container): every Linux kernel this runs on reports 100.
    }
    ticksPerSecond = Number.isInteger(hz) && hz > 0 ? hz : 100;
  }
  return ticksPerSecond;
}

/** CPU milliseconds (user + system) a live process has used so far; undefined once it is gone. */
export async function cpuMs(pid: number | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  const times = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
  return times ? ((times.utime + times.stime) * 1000) / clockTicksPerSecond() : undefined;
}
