/**
 * For CLI unit tests: the real program (`run`) on in-memory streams, against a small real HTTP
 * server that records every request and answers what the test scripts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type { CliIo, InputStream, OutputStream } from '../../../src/cli/io';
import { run } from '../../../src/cli/main';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeReply {
  status?: number;
  body?: unknown;
  contentType?: string;
}

export type FakeHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeApi {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeApi(handler: FakeHandler): Promise<FakeApi> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const text = Buffer.concat(chunks).toString('utf8');
        const recorded: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body: text ? JSON.parse(text) : undefined,
        };
        requests.push(recorded);
        const reply = await handler(recorded);
        const status = reply.status ?? 200;
        if (reply.body === undefined) {
          res.writeHead(status);
          return res.end();
        }
        const contentType = reply.contentType ?? (status >= 400 ? 'application/problem+json' : 'application/json');
        const payload = typeof reply.body === 'string' && !contentType.includes('json') ? reply.body : JSON.stringify(reply.body);
        res.writeHead(status, { 'content-type': contentType });
        res.end(payload);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export class MemoryOutput extends Writable implements OutputStream {
  text = '';
  constructor(
    public isTTY = false,
    public columns = 100,
    public rows = 30,
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export interface MemoryIoOptions {
  stdin?: string;
  /** stdin is a terminal: what the user types arrives as data once the prompt is shown. */
  typed?: string;
  stdoutTty?: boolean;
  env?: Record<string, string>;
}

export interface MemoryIo {
  io: CliIo;
  stdout: MemoryOutput;
  stderr: MemoryOutput;
  /** Ctrl-C, as the process would deliver it. */
  interrupt(): void;
  rawModes: boolean[];
}

export function memoryIo(options: MemoryIoOptions = {}): MemoryIo {
  const stdout = new MemoryOutput(options.stdoutTty ?? false);
  const stderr = new MemoryOutput(false);
  const rawModes: boolean[] = [];
  let stdin: InputStream;
  if (options.typed !== undefined) {
    const tty = new PassThrough() as PassThrough & InputStream;
    tty.isTTY = true;
    tty.setRawMode = (mode: boolean) => {
      rawModes.push(mode);
      if (mode) setImmediate(() => tty.write(options.typed!));
      return tty;
    };
    stdin = tty;
  } else {
    const pipe = new PassThrough();
    pipe.end(options.stdin ?? '');
    stdin = pipe;
  }
  const listeners = new Set<() => void>();
  const io: CliIo = {
    stdout,
    stderr,
    stdin,
    env: options.env ?? {},
    onInterrupt(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  return { io, stdout, stderr, rawModes, interrupt: () => [...listeners].forEach((l) => l()) };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `elastic-jobs --url <api> ...args` on in-memory streams. */
export async function runCli(api: FakeApi | string, args: string[], options: MemoryIoOptions = {}): Promise<CliRun & { memory: MemoryIo }> {
  const memory = memoryIo(options);
  const url = typeof api === 'string' ? api : api.url;
  const code = await run(['--url', url, ...args], memory.io);
  return { code, stdout: memory.stdout.text, stderr: memory.stderr.text, memory };
}
