/**
 * Runs `sqlpackage /Action:Publish` for one database. The secret (a SQL password, or an Entra
 * access token for a managed identity) goes in a response file (`@file`, one argument per line,
 * mode 0600, deleted afterwards) instead of the command line, where any process listing would
 * show it. sqlpackage has no environment variable for it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PermanentTargetError, ScriptFailedError } from '../targets/errors';

export interface PublishOptions {
  sqlpackagePath: string;
  sourceFile: string;
  serverName: string;
  databaseName: string;
  /** `/TargetUser` + `/TargetPassword`, or `/AccessToken`. */
  auth: { user: string; password: string } | { accessToken: string };
  /** SQLSERVER_ENCRYPT: sqlpackage's /TargetEncryptConnection takes Strict (TDS 8), True (TLS required: SqlClient refuses a server that declines it) or False. */
  encrypt: boolean | 'strict';
  trustServerCertificate: boolean;
  /** A private folder for the response file. */
  workDir: string;
  /** Stops the process (SIGTERM, then SIGKILL); the caller says why. */
  signal: AbortSignal;
}

export interface PublishResult {
  /** sqlpackage's output, last lines first kept. */
  messages: string[];
}

const OUTPUT_LIMIT = 64 * 1024;
const MESSAGE_LINES = 200;
const KILL_GRACE_MS = 5_000;

export function publishArguments(o: Pick<PublishOptions, 'sourceFile' | 'serverName' | 'databaseName' | 'encrypt' | 'trustServerCertificate'>, responseFile: string): string[] {
  return [
    '/Action:Publish',
    `/SourceFile:${o.sourceFile}`,
    `/TargetServerName:${o.serverName}`,
    `/TargetDatabaseName:${o.databaseName}`,
    `/TargetEncryptConnection:${o.encrypt === 'strict' ? 'Strict' : o.encrypt ? 'True' : 'False'}`,
    `/TargetTrustServerCertificate:${o.trustServerCertificate ? 'True' : 'False'}`,
    `@${responseFile}`,
  ];
}

export function responseFileText(auth: PublishOptions['auth']): string {
  const lines = 'accessToken' in auth ? [`/AccessToken:${auth.accessToken}`] : [`/TargetUser:${auth.user}`, `/TargetPassword:${auth.password}`];
  for (const line of lines) {
    // One argument per line: a line break inside a value would become a second argument.
    if (/[\r\n]/.test(line)) throw new PermanentTargetError('The credential for sqlpackage contains a line break, which a response file cannot carry.');
  }
  return lines.join('\n') + '\n';
}

function secretOf(auth: PublishOptions['auth']): string {
  return 'accessToken' in auth ? auth.accessToken : auth.password;
}

export async function publishDacpac(o: PublishOptions): Promise<PublishResult> {
  const responseFile = path.join(o.workDir, 'publish.rsp');
  fs.writeFileSync(responseFile, responseFileText(o.auth), { mode: 0o600 });
  try {
    return await run(o, publishArguments(o, responseFile));
  } finally {
    fs.rmSync(responseFile, { force: true });
  }
}

function run(o: PublishOptions, args: string[]): Promise<PublishResult> {
  return new Promise((resolve, reject) => {
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    const child = spawn(o.sqlpackagePath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    if (o.signal.aborted) onAbort();
    const settle = () => {
      o.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
    };
    const secret = secretOf(o.auth);
    // sqlpackage is not known to echo it; scrubbed anyway, since these lines become the task's message.
    const scrubbed = () => (secret.length >= 4 ? output.split(secret).join('***') : output);
    const lines = () =>
      scrubbed()
        .split(/\r?\n/)
        .map((l) => l.trimEnd())
        .filter((l) => l.length > 0)
        .slice(-MESSAGE_LINES);
    child.on('error', (e: NodeJS.ErrnoException) => {
      settle();
      if (e.code === 'ENOENT' || e.code === 'EACCES') {
        reject(new PermanentTargetError(`sqlpackage could not be started from SQLPACKAGE_PATH '${o.sqlpackagePath}' (${e.code}).`));
      } else {
        reject(new PermanentTargetError(`sqlpackage could not be started (${e.code ?? e.message}).`));
      }
    });
    child.on('close', (code, signalName) => {
      settle();
      if (o.signal.aborted) return reject(o.signal.reason);
      const messages = lines();
      if (code === 0) return resolve({ messages });
      const tail = messages.slice(-10).join(' | ').slice(-2000);
      reject(new ScriptFailedError(`sqlpackage publish failed (${code === null ? `signal ${signalName}` : `exit code ${code}`})${tail ? `: ${tail}` : ''}`));
    });
  });
}
