/**
 * What SQLite attempt processes may take of the machine. Measured on Node 20 (Linux x64): one
 * attempt process holds about 50 MB resident before it reads a row, and starts in 0.3-0.8 s, so
 * at the default parallelism of 100 unbounded processes would want about 5 GB. Hence a cap on
 * the processes running at once (the rest wait their turn, cancellable) and a memory bound on
 * each: V8's old space (`--max-old-space-size`) for the rows it holds, and the resident size
 * watched from outside for SQLite's own memory, which the script could grow (a huge cache_size,
 * temp_store=MEMORY) and which SQLite's `PRAGMA hard_heap_limit` does not bound in
 * better-sqlite3's build (SQLITE_DEFAULT_MEMSTATUS=0 turns the accounting it needs off).
 */
import fs from 'node:fs';
import os from 'node:os';
import { stopError } from './attemptBounds';
import type { RunOptions } from './driver';

/** Worker processes at once by default (busy and idle, see sqliteWorkerPool.ts): SQLite works on local files, so beyond twice the cores more processes only add memory. */
export const DEFAULT_SQLITE_PROCESSES = Math.max(4, 2 * (os.availableParallelism?.() ?? os.cpus().length));
/** Resident memory a worker process may reach during an attempt before it is killed (MB); past half of it after an attempt, it is not used again. */
export const DEFAULT_SQLITE_PROCESS_MEMORY_MB = 512;

export interface ProcessSlots {
  /** Waits for a free slot; rejects with the attempt's stop error when it is cancelled or times out while waiting. Returns the release. */
  acquire(options: Pick<RunOptions, 'signal'>, deadline?: { timeoutMs: number; startedAt: number }): Promise<() => void>;
  readonly running: number;
  readonly waiting: number;
}

/** A counting semaphore whose waiters leave the queue on cancel or timeout. */
export function createProcessSlots(size: number): ProcessSlots {
  let running = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    running--;
    const next = queue.shift();
    if (next) next();
  };
  const once = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };
  return {
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
    acquire(options, deadline) {
      if (running < size) {
        running++;
        return Promise.resolve(once());
      }
      return new Promise((resolve, reject) => {
        const grant = () => {
          cleanup();
          running++;
          resolve(once());
        };
        const leave = (error: Error) => {
          cleanup();
          const at = queue.indexOf(grant);
          if (at >= 0) queue.splice(at, 1);
          reject(error);
        };
        const onAbort = () => leave(stopError('canceled'));
        const timer = deadline ? setTimeout(() => leave(stopError('timeout', deadline.timeoutMs)), Math.max(0, deadline.startedAt + deadline.timeoutMs - Date.now())) : undefined;
        const cleanup = () => {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', onAbort);
        };
        options.signal.addEventListener('abort', onAbort, { once: true });
        queue.push(grant);
      });
    },
  };
}

/** Resident size of a process in MB (Linux /proc), or undefined where it cannot be read. */
export function residentMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onOver` once when the process `pid` grows past `limitMb` resident, checking every
 * `everyMs`. Returns the stop function. Where /proc is missing only the V8 bound applies.
 */
export function watchResidentMemory(pid: number, limitMb: number, onOver: (mb: number) => void, everyMs = 200): () => void {
  if (process.platform !== 'linux') return () => undefined;
  const timer = setInterval(() => {
    const mb = residentMb(pid);
    if (mb !== undefined && mb > limitMb) {
      clearInterval(timer);
      onOver(mb);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
