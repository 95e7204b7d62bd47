/**
 * One webhook POST over TLS, against a receiver with its own certificate for a name that does not
 * exist in DNS (`hooks.elastic-jobs.test`, resolved by the test to 127.0.0.1): the socket goes to
 * the address that was checked while the certificate is verified against the URL's name, a
 * certificate for another name or from an unknown issuer is refused, and the same name resolving
 * to loopback is refused in Azure before any connection.
 */
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { postWebhook, webhookSignature } from '../../../src/notifications/webhookPost';

// selfsigned's typings declare `generate` without exporting it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const selfsigned = require('selfsigned') as { generate(attrs: { name: string; value: string }[], options: Record<string, unknown>): { private: string; cert: string } };

const NAME = 'hooks.elastic-jobs.test';
const KEY = 'whsec-tls-test-0123456789abcdefghijklm';

function certificateFor(name: string) {
  return selfsigned.generate([{ name: 'commonName', value: name }], { days: 1, keySize: 2048, algorithm: 'sha256', extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: name }] }] });
}

describe('a webhook POST over https', () => {
  const pems = certificateFor(NAME);
  const received: { host?: string; signature?: string; body: string; servername?: string }[] = [];
  let server: https.Server;
  let port: number;
  beforeAll(async () => {
    server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ host: req.headers.host, signature: req.headers['x-elastic-jobs-signature'] as string, body, servername: (req.socket as unknown as { servername?: string }).servername });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (received.length = 0));

  const body = JSON.stringify({ event: 'jobExecution.ended', execution: { id: crypto.randomUUID() } });
  const post = (extra: Partial<Parameters<typeof postWebhook>[0]> = {}) =>
    postWebhook({ url: `https://${NAME}:${port}/hook?tenant=a`, body, signingKey: KEY, host: 'local', deliveryId: 'd', resolve: async () => ['127.0.0.1'], ca: pems.cert, ...extra });

  it('connects to the checked address and verifies the certificate against the URL name', async () => {
    expect(await post()).toEqual({ ok: true, status: 200 });
    expect(received).toEqual([{ host: `${NAME}:${port}`, signature: webhookSignature(body, KEY), body, servername: NAME }]);
  });

  it('refuses a certificate from an unknown issuer, or for another name, without sending', async () => {
    const unknown = await post({ ca: undefined });
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.error).toMatch(/^The receiver's TLS certificate was not accepted \(/);
    // The receiver's certificate is trusted but names another host than the URL.
    const wrongName = await post({ url: `https://other.elastic-jobs.test:${port}/hook` });
    expect(wrongName).toEqual({ ok: false, error: "The receiver's TLS certificate was not accepted (ERR_TLS_CERT_ALTNAME_INVALID)." });
    expect(received).toEqual([]);
  });

  it('in Azure, refuses the name once it resolves to loopback, before connecting', async () => {
    const outcome = await post({ host: 'azure' });
    expect(outcome).toEqual({ ok: false, error: 'Refused after DNS resolution: the webhook must not point at 127.0.0.1: that is a loopback address, and in Azure only public addresses are allowed.' });
    expect(received).toEqual([]);
  });

  it('reports a name that does not resolve by its error code only', async () => {
    const outcome = await post({ resolve: async () => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${NAME}`), { code: 'ENOTFOUND' })) });
    expect(outcome).toEqual({ ok: false, error: "The receiver's host name could not be resolved (ENOTFOUND)." });
  });
});
