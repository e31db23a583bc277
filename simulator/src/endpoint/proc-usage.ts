// Resident memory and CPU time of another process, from /proc (Linux). Elsewhere the answers are undefined and the
// report says "not measured".
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Memory and CPU of one process at one moment. */
export interface ProcUsage {
  readonly rssBytes: number;
  /** user + system CPU time since the process started, in microseconds. */
  readonly cpuMicros: number;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Usage of `pid`, or undefined when /proc cannot tell (not Linux, process gone). */
export function procUsage(pid: number): ProcUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
    if (!Number.isFinite(utime) || !Number.isFinite(rssKb)) return undefined;
    return { rssBytes: rssKb * 1024, cpuMicros: ((utime + stime) * 1e6) / clockTicks() };
  } catch {
    return undefined;
  }
}
