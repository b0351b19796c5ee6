// CPU of other processes, from Linux's /proc: a Tessera node with its workers, PostgreSQL's backends. Where the
// machine's cores went during a round, beside how fast the round was.
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = 100;

function cpuOf(pid: number): number {
  try {
    // Fields after the command (which may hold spaces) in parentheses: utime and stime are the 12th and 13th, then
    // cutime and cstime, what its children that ended used: PostgreSQL's backends end as clients disconnect, and
    // without them a round's sum went below zero.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / ticksPerSecond;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds used so far by `pid` and its children (a node's primary and workers), ended ones included. */
export function treeCpuSeconds(pid: number): number {
  return cpuOf(pid) + childrenOf(pid).reduce((sum, child) => sum + treeCpuSeconds(child), 0);
}

/** CPU seconds used so far by every living process whose command is `name` (e.g. `postgres`) and its ended children. */
export function commandCpuSeconds(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) total += cpuOf(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return total;
}
