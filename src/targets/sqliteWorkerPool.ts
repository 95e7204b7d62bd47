/**
 * The SQLite worker processes of one driver: at most `size` long-lived child processes running
 * sqliteAttemptProcess.ts's program, each one attempt at a time. Starting a process costs
 * 0.3-0.8 s (measured, Node 20), which one process per attempt paid on every database; a worker
 * is used again only after an attempt that ended cleanly (a success or a plain SQL error, its
 * connection closed, its resident size well under the bound). A worker whose attempt was
 * cancelled, timed out, passed the memory bound or failed any other way is killed, and the next
 * attempt starts a new one. Idle workers exit after `idleMs`, so an idle host holds none; each
 * also ends itself when its host dies (the watchdog thread of the program).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { boundAttempt } from './attemptBounds';
import type { RunOptions } from './driver';
import { PermanentTargetError, TransientTargetError, type TargetError } from './errors';
import { messageOf } from './redaction';
import { REFUSED_CODE, SQLITE_ATTEMPT_PROGRAM, SQLITE_WORKER_MARK, type AttemptJob, type AttemptReply, type WorkerAnswer, type WorkerRequest } from './sqliteAttemptProcess';
import { createProcessSlots, residentMb, watchResidentMemory } from './sqliteProcessLimits';

/** How long an idle worker waits for its next attempt before it is let go (ms). */
export const DEFAULT_SQLITE_WORKER_IDLE_MS = 30_000;
/** Attempts one worker runs before it is replaced anyway, so no slow growth of a long-lived process adds up. */
const ATTEMPTS_PER_WORKER = 500;

export interface SqliteWorkerPoolOptions {
  /** Worker processes at once (busy and idle together); further attempts wait, cancellable. */
  size: number;
  /** Resident memory (MB) a worker may reach during an attempt before it is killed and the attempt fails. */
  memoryMb: number;
  idleMs?: number;
}

/** What the pool holds now, and has done (for tests and diagnostics). */
export interface SqliteWorkerStats {
  /** Pids of the live workers, busy ones first. */
  pids: number[];
  busy: number;
  idle: number;
  /** Workers started since the pool was made. */
  started: number;
}

export interface SqliteWorkerPool {
  /**
   * Runs one attempt on a worker: the worker's reply (a failed script included), or throws the
   * attempt's stop error (cancel, timeout, also while waiting for a worker), PermanentTargetError
   * past the memory bound, TransientTargetError when the worker died without an answer.
   */
  run(job: AttemptJob, options: RunOptions): Promise<AttemptReply>;
  /** Kills the workers running an attempt tagged with one of `tags`; returns how many were found (their attempts reject). */
  killTagged(tags: readonly string[]): number;
  stats(): SqliteWorkerStats;
  /** Kills every worker (attempts still running reject). */
  close(): void;
}

interface Worker {
  child: ChildProcess;
  attempts: number;
  exited: boolean;
  stderr: string;
  tag?: string;
  idleTimer?: NodeJS.Timeout;
  onAnswer?: (answer: WorkerAnswer) => void;
  onEnd?: (code: number | null, signal: NodeJS.Signals | null, error?: Error) => void;
}

/**
 * A worker stays for the next attempt only when this one left nothing behind: every SQLite error
 * but those that tell of a broken process or file (out of memory, I/O, corruption, misuse), and
 * the box's own refusals. A JavaScript error (no code) is not trusted.
 */
export function reusableAfter(reply: AttemptReply): boolean {
  if (!reply.closed) return false;
  if (reply.ok) return true;
  if (reply.code === REFUSED_CODE) return true;
  return !!reply.code && /^SQLITE_/.test(reply.code) && !/^SQLITE_(NOMEM|IOERR|CORRUPT|MISUSE|INTERNAL|CANTOPEN|FULL|NOTADB)/.test(reply.code);
}

export function createSqliteWorkerPool(options: SqliteWorkerPoolOptions): SqliteWorkerPool {
  const idleMs = options.idleMs ?? DEFAULT_SQLITE_WORKER_IDLE_MS;
  const slots = createProcessSlots(options.size);
  const idle: Worker[] = [];
  const busy = new Set<Worker>();
  let started = 0;
  let nextId = 0;

  // An idle worker must not keep the host's event loop alive (a CLI run, a test), a busy one must.
  const hold = (worker: Worker, held: boolean) => {
    const handles = [worker.child, worker.child.channel, worker.child.stderr] as ({ ref(): void; unref(): void } | null | undefined)[];
    for (const handle of handles) {
      if (held) handle?.ref?.();
      else handle?.unref?.();
    }
  };

  const kill = (worker: Worker) => {
    if (worker.exited) return;
    worker.child.kill('SIGKILL');
  };

  function start(): Worker {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const moduleDir = path.dirname(require.resolve('better-sqlite3/package.json'));
    // Half the bound for V8's old space (the rows it holds); the resident watch bounds the whole process.
    const child = spawn(process.execPath, [`--max-old-space-size=${Math.max(32, Math.floor(options.memoryMb / 2))}`, '-e', SQLITE_ATTEMPT_PROGRAM, moduleDir, SQLITE_WORKER_MARK, String(process.pid)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      // The host's NODE_OPTIONS (an inspector port, a loader) are not for this helper.
      env: { ...process.env, NODE_OPTIONS: '' },
      windowsHide: true,
    });
    started++;
    const worker: Worker = { child, attempts: 0, exited: false, stderr: '' };
    child.stderr?.on('data', (chunk: Buffer) => {
      if (worker.stderr.length < 4_000) worker.stderr += chunk.toString();
    });
    child.on('message', (answer) => worker.onAnswer?.(answer as WorkerAnswer));
    child.on('error', (error) => {
      // A process that could not start ('close' may not follow); a failed kill of a live one changes nothing.
      if (child.pid !== undefined) return;
      worker.exited = true;
      leave(worker);
      worker.onEnd?.(null, null, error);
    });
    // 'close', not 'exit': a process can be seen to exit before its last IPC message arrives, and
    // an attempt whose script committed must not be taken for one that died (it would run again).
    child.on('close', (code, signal) => {
      worker.exited = true;
      leave(worker);
      worker.onEnd?.(code, signal);
    });
    return worker;
  }

  function leave(worker: Worker) {
    clearTimeout(worker.idleTimer);
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
    busy.delete(worker);
  }

  function take(tag: string | undefined): Worker {
    let worker = idle.pop();
    while (worker && worker.exited) worker = idle.pop();
    worker ??= start();
    clearTimeout(worker.idleTimer);
    worker.tag = tag;
    worker.stderr = '';
    busy.add(worker);
    hold(worker, true);
    return worker;
  }

  function giveBack(worker: Worker, reusable: boolean) {
    busy.delete(worker);
    worker.tag = undefined;
    worker.onAnswer = undefined;
    worker.onEnd = undefined;
    if (!reusable || worker.exited) return kill(worker);
    hold(worker, false);
    idle.push(worker);
    worker.idleTimer = setTimeout(() => {
      leave(worker);
      kill(worker);
    }, idleMs);
    worker.idleTimer.unref();
  }

  function attempt(worker: Worker, job: AttemptJob, runOptions: RunOptions): Promise<{ reply: AttemptReply; reusable: boolean }> {
    const memoryMb = options.memoryMb;
    return new Promise((resolve, reject) => {
      const id = ++nextId;
      let settled = false;
      const bounds = boundAttempt(runOptions, () => kill(worker));
      let overMb: number | undefined;
      const unwatch = worker.child.pid === undefined ? () => undefined : watchResidentMemory(worker.child.pid, memoryMb, (mb) => ((overMb = mb), kill(worker)));
      const settle = (outcome: { reply: AttemptReply; reusable: boolean } | TargetError) => {
        if (settled) return;
        settled = true;
        bounds.dispose();
        unwatch();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      worker.onAnswer = (answer) => {
        if (answer.id !== id) return;
        // An answer that came before the kill landed is the attempt's outcome (its script committed); the worker goes anyway.
        const rss = worker.child.pid === undefined ? undefined : residentMb(worker.child.pid);
        const reusable = bounds.reason === undefined && overMb === undefined && reusableAfter(answer.reply) && worker.attempts < ATTEMPTS_PER_WORKER && (rss === undefined || rss < memoryMb / 2);
        settle({ reply: answer.reply, reusable });
      };
      worker.onEnd = (code, signal, error) => {
        if (error) return settle(new TransientTargetError(`The SQLite attempt process could not start: ${messageOf(error)}`));
        if (bounds.reason) return settle(bounds.error());
        if (overMb !== undefined || /heap out of memory|Allocation failed/i.test(worker.stderr)) {
          // The same script would only run out again: not worth a retry.
          return settle(new PermanentTargetError(`The SQLite attempt needed more than its memory bound of ${memoryMb} MB and was stopped; keep fewer rows (a destination keeps every row of the first result set).`));
        }
        settle(new TransientTargetError(`The SQLite attempt process ended without an answer (${signal ?? `exit code ${code}`}): ${worker.stderr.trim().slice(0, 500)}`));
      };
      if (worker.exited) return worker.onEnd(null, 'SIGKILL');
      if (bounds.reason) return; // cancelled at once: the kill is on its way, 'close' settles
      worker.attempts++;
      const request: WorkerRequest = { id, job };
      worker.child.send(request, (error) => {
        if (error) kill(worker); // 'close' then answers for the attempt
      });
    });
  }

  return {
    async run(job, runOptions) {
      const release = await slots.acquire(runOptions, runOptions.timeoutMs === undefined ? undefined : { timeoutMs: runOptions.timeoutMs, startedAt: Date.now() });
      const worker = take(runOptions.sessionTag);
      let reusable = false;
      try {
        const outcome = await attempt(worker, job, runOptions);
        reusable = outcome.reusable;
        return outcome.reply;
      } finally {
        giveBack(worker, reusable);
        release();
      }
    },

    killTagged(tags) {
      const wanted = new Set(tags);
      let found = 0;
      for (const worker of busy) {
        if (worker.tag !== undefined && wanted.has(worker.tag)) {
          found++;
          kill(worker);
        }
      }
      return found;
    },

    stats() {
      const live = (w: Worker) => !w.exited && w.child.pid !== undefined;
      const busyPids = [...busy].filter(live).map((w) => w.child.pid!);
      const idlePids = idle.filter(live).map((w) => w.child.pid!);
      return { pids: [...busyPids, ...idlePids], busy: busyPids.length, idle: idlePids.length, started };
    },

    close() {
      for (const worker of [...idle, ...busy]) {
        leave(worker);
        kill(worker);
      }
    },
  };
}
