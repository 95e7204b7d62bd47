/**
 * A webhook receiver on loopback for tests: a plain node http server that records every request
 * (headers and the exact body bytes) and answers with the statuses it is told, in order (200 once
 * they run out). `verify` checks a request's X-Elastic-Jobs-Signature as a receiver would.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The exact bytes received. */
  raw: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Statuses for the next requests, in order; 200 after them. */
  answer(...statuses: number[]): void;
  /** Forgets what was received and the statuses not yet used. */
  reset(): void;
  /** Resolves once `count` requests have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Whether the request carries `sha256=<hex HMAC-SHA256 of its exact body under key>`. */
export function verifySignature(request: ReceivedWebhook, key: string): boolean {
  const header = String(request.headers['x-elastic-jobs-signature'] ?? '');
  const expected = `sha256=${crypto.createHmac('sha256', key).update(request.raw).digest('hex')}`;
  return header.length === expected.length && crypto.timingSafeEqual(Buffer.from(header), Buffer.from(expected));
}

export async function startWebhookReceiver(path = '/hooks/elastic-jobs'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const statuses: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    received,
    answer: (...s) => void statuses.push(...s),
    reset() {
      received.length = 0;
      statuses.length = 0;
    },
    async waitFor(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`The receiver got ${received.length} request(s), not ${count}, within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
