/**
 * One signed POST of a webhook body. The URL is checked again (the rules may have tightened, or
 * the host kind changed since the job was written), its name is resolved, EVERY address it
 * resolves to is checked (src/domain/webhookAddress.ts), and the connection goes to the address
 * that was checked, never to a second lookup (a name that answers differently the second time
 * cannot slip past). TLS still verifies the certificate against the URL's name. Redirects are
 * not followed: a 3xx is a failed attempt.
 *
 * Outcomes are words of the product, never the URL (its path or query may hold a token) nor the
 * signing key: they become the execution's `notification.lastError`.
 */
import crypto from 'node:crypto';
import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { refusedAddress, webhookUrlProblem, type WebhookHostKind } from '../domain/webhookAddress';
import { version } from '../version';

export const SIGNATURE_HEADER = 'X-Elastic-Jobs-Signature';

/** `sha256=<hex HMAC-SHA256 of the exact body bytes under the key>`. */
export function webhookSignature(body: string, signingKey: string): string {
  return `sha256=${crypto.createHmac('sha256', signingKey).update(Buffer.from(body, 'utf8')).digest('hex')}`;
}

export type WebhookOutcome = { ok: true; status: number } | { ok: false; error: string };

/** The addresses a name resolves to (all of them). */
export type ResolveAddresses = (hostname: string) => Promise<string[]>;

const systemResolve: ResolveAddresses = async (hostname) => (await dns.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export interface WebhookPost {
  url: string;
  body: string;
  signingKey: string;
  host: WebhookHostKind;
  /** Sent as X-Elastic-Jobs-Delivery, so a receiver can drop a repeat (delivery is at least once). */
  deliveryId: string;
  timeoutMs?: number;
  resolve?: ResolveAddresses;
  /** Extra CA certificates to trust (tests with a self-signed receiver). */
  ca?: string | Buffer;
  /** Aborts the POST (the host is stopping). */
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A receiver's answer is read and dropped, up to this much. */
const MAX_ANSWER_BYTES = 64 * 1024;

export async function postWebhook(post: WebhookPost): Promise<WebhookOutcome> {
  const problem = webhookUrlProblem(post.url, post.host);
  if (problem) return { ok: false, error: `Refused: the webhook URL ${problem}.` };
  const url = new URL(post.url);
  const scheme = url.protocol as 'http:' | 'https:';
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (net.isIP(hostname)) addresses = [hostname];
  else {
    try {
      addresses = await (post.resolve ?? systemResolve)(hostname);
    } catch (e) {
      return { ok: false, error: `The receiver's host name could not be resolved (${(e as { code?: string }).code ?? 'DNS error'}).` };
    }
    if (!addresses.length) return { ok: false, error: "The receiver's host name resolves to no address." };
  }
  for (const address of addresses) {
    const refused = refusedAddress(address, scheme, post.host);
    if (refused) return { ok: false, error: `Refused after DNS resolution: the webhook ${refused}.` };
  }
  return send(url, addresses[0], hostname, post);
}

function send(url: URL, address: string, hostname: string, post: WebhookPost): Promise<WebhookOutcome> {
  const timeoutMs = post.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const body = Buffer.from(post.body, 'utf8');
  const headers = {
    host: url.host,
    'content-type': 'application/json',
    'content-length': String(body.length),
    'user-agent': `elastic-jobs/${version}`,
    'x-elastic-jobs-event': 'jobExecution.ended',
    'x-elastic-jobs-delivery': post.deliveryId,
    [SIGNATURE_HEADER.toLowerCase()]: webhookSignature(post.body, post.signingKey),
  };
  const options: https.RequestOptions = {
    method: 'POST',
    host: address,
    port: url.port || (url.protocol === 'https:' ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    headers,
    agent: false,
    // The certificate is verified against the URL's name, though the socket goes to the checked address.
    servername: net.isIP(hostname) ? undefined : hostname,
    ...(post.ca ? { ca: post.ca } : {}),
  };
  return new Promise<WebhookOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: WebhookOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      post.signal?.removeEventListener('abort', abort);
      resolve(outcome);
    };
    const request = (url.protocol === 'https:' ? https : http).request(options, (response) => {
      const status = response.statusCode ?? 0;
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) response.destroy();
      });
      const done = () =>
        finish(
          status >= 200 && status < 300
            ? { ok: true, status }
            : { ok: false, error: status >= 300 && status < 400 ? `The receiver answered HTTP ${status} (redirects are not followed).` : `The receiver answered HTTP ${status}.` },
        );
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
    const timer = setTimeout(() => {
      finish({ ok: false, error: `The receiver did not answer within ${Math.round(timeoutMs / 1000)} s.` });
      request.destroy();
    }, timeoutMs);
    const abort = () => {
      finish({ ok: false, error: 'The host stopped during the attempt.' });
      request.destroy();
    };
    if (post.signal?.aborted) abort();
    else post.signal?.addEventListener('abort', abort, { once: true });
    request.on('error', (e: NodeJS.ErrnoException) => {
      const tls = e.code?.startsWith('ERR_TLS') || e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || e.code === 'SELF_SIGNED_CERT_IN_CHAIN' || e.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
      finish({ ok: false, error: tls ? `The receiver's TLS certificate was not accepted (${e.code}).` : `The receiver could not be reached (${e.code ?? 'connection error'}).` });
    });
    request.end(body);
  });
}
