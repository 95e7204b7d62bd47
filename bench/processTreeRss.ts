/**
 * Peak resident memory of this process and every process it started (SQLite attempt workers,
 * sqlpackage, ...), sampled from /proc while a run lasts. Linux only; elsewhere this process's
 * own peak (`process.resourceUsage().maxRSS`) is all it can report.
 */
import fs from 'node:fs';

const PAGE_BYTES = 4096;

/** This process and its descendants, from the parent pid (field 4) of every /proc/<pid>/stat. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may hold spaces: read after its last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** Resident bytes of these processes now (statm's second field, in pages). */
function residentBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
    } catch {
      // Ended meanwhile.
    }
  }
  return total;
}

export interface RssSampler {
  /** Stops sampling; returns the peak in MiB of the tree's summed resident memory, what it was at the start, and the most processes seen at once. */
  stop(): { peakMiB: number; startMiB: number; processes: number };
}

/** Samples every `everyMs` until stopped. */
export function sampleProcessTreeRss(everyMs = 100): RssSampler {
  if (!fs.existsSync('/proc/self/statm')) {
    return { stop: () => ({ peakMiB: process.resourceUsage().maxRSS / 1024, startMiB: NaN, processes: 1 }) };
  }
  let peak = 0;
  let processes = 1;
  const sample = () => {
    const tree = processTree(process.pid);
    processes = Math.max(processes, tree.length);
    peak = Math.max(peak, residentBytes(tree));
  };
  sample();
  const start = peak;
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakMiB: peak / (1024 * 1024), startMiB: start / (1024 * 1024), processes };
    },
  };
}
