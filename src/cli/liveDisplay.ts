/**
 * Where the live view goes. On a terminal: one frame, redrawn in place with ANSI escapes and
 * throttled so a fast poll cannot flicker. Anywhere else (CI logs, pipes): plain lines, only
 * when something changed, so a log stays readable.
 */
import type { OutputStream } from './io';
import { describeChanges, renderFrame, type WatchSnapshot } from './liveView';

export interface LiveDisplay {
  update(snapshot: WatchSnapshot): void;
  /** The last snapshot, drawn at once; the display is done after this. */
  finish(snapshot: WatchSnapshot): void;
  /** Leave the terminal as it was (Ctrl-C). */
  abandon(): void;
}

const ESC = '\u001b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
const CLEAR_DOWN = `${ESC}J`;

/** Cut to the terminal's width: a wrapped line would throw the redraw's line count off. */
function fit(line: string, columns: number): string {
  const chars = [...line];
  return chars.length <= columns ? line : `${chars.slice(0, Math.max(0, columns - 1)).join('')}…`;
}

export class TerminalLiveDisplay implements LiveDisplay {
  private drawnLines = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private pending: WatchSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: OutputStream,
    private readonly options: { throttleMs: number; now: () => Date } = { throttleMs: 150, now: () => new Date() },
  ) {}

  update(snapshot: WatchSnapshot): void {
    this.pending = snapshot;
    const wait = this.lastDraw + this.options.throttleMs - this.options.now().getTime();
    if (wait <= 0) this.draw();
    else this.timer ??= setTimeout(() => this.draw(), wait);
  }

  finish(snapshot: WatchSnapshot): void {
    this.pending = snapshot;
    this.draw();
    this.stream.write(SHOW_CURSOR);
  }

  abandon(): void {
    this.clearTimer();
    if (this.drawnLines) this.stream.write(SHOW_CURSOR);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private draw(): void {
    this.clearTimer();
    const snapshot = this.pending;
    if (!snapshot) return;
    const columns = Math.max(20, (this.stream.columns || 80) - 1);
    const maxTargetLines = Math.max(3, (this.stream.rows || 24) - 4);
    const lines = renderFrame(snapshot, { now: this.options.now(), maxTargetLines }).map((l) => fit(l, columns));
    const up = this.drawnLines ? `${ESC}${this.drawnLines}A` : HIDE_CURSOR;
    this.stream.write(`${up}\r${CLEAR_DOWN}${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
    this.lastDraw = this.options.now().getTime();
  }
}

export class LogLiveDisplay implements LiveDisplay {
  private previous: WatchSnapshot | undefined;

  constructor(private readonly stream: OutputStream) {}

  update(snapshot: WatchSnapshot): void {
    const lines = describeChanges(this.previous, snapshot);
    if (lines.length) this.stream.write(`${lines.join('\n')}\n`);
    this.previous = snapshot;
  }

  finish(snapshot: WatchSnapshot): void {
    this.update(snapshot);
  }

  abandon(): void {}
}

export function liveDisplayFor(stream: OutputStream): LiveDisplay {
  return stream.isTTY ? new TerminalLiveDisplay(stream) : new LogLiveDisplay(stream);
}
