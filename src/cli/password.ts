/**
 * Where a credential's password comes from: a prompt on the terminal that echoes nothing, or
 * stdin (`--password-stdin`, for pipelines). Never an argument: argv is visible to every user
 * of the machine (ps, /proc) and lands in shell history.
 */
import type { CliIo } from './io';
import { UsageError } from './errorText';

/** Everything on stdin, less the one line break `echo` or a file adds at the end. */
export async function readPasswordFromStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password === '') throw new UsageError('--password-stdin read an empty password');
  return password;
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u007f', '\b']);

/** Reads one line from the terminal in raw mode, so the typed characters are never echoed. */
export function promptPassword(io: CliIo, prompt: string): Promise<string> {
  const { stdin, stderr } = io;
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') {
    return Promise.reject(new UsageError('no terminal to ask for the password on: pipe it in with --password-stdin'));
  }
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let password = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(password);
    };
    const onData = (data: Buffer | string) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          if (password === '') return finish(new UsageError('the password must not be empty'));
          return finish();
        }
        if (ch === CTRL_C || ch === CTRL_D) return finish(new UsageError('no password entered'));
        if (BACKSPACE.has(ch)) password = [...password].slice(0, -1).join('');
        else if (ch >= ' ') password += ch;
      }
    };
    stdin.on('data', onData);
  });
}
