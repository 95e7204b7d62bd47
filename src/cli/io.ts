/**
 * Everything the command touches outside itself: its streams, environment and Ctrl-C.
 * Handed in, so tests run the real program on in-memory streams.
 */
import type { Readable, Writable } from 'node:stream';

export interface OutputStream extends Writable {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface InputStream extends Readable {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: InputStream;
  env: NodeJS.ProcessEnv;
  /**
   * While a listener is registered, Ctrl-C calls it instead of ending the process: a wait stops
   * watching and says how to find the execution again (the execution itself goes on).
   * Returns the function that unregisters it.
   */
  onInterrupt(listener: () => void): () => void;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    onInterrupt(listener) {
      process.once('SIGINT', listener);
      return () => void process.off('SIGINT', listener);
    },
  };
}
