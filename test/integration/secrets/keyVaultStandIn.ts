/**
 * A stand-in for the Azure Key Vault REST API, enough for the secrets client: PUT
 * /secrets/{name} and GET /secrets/{name}/{version}, over HTTPS with a certificate made for the
 * test, behind the same challenge the real vault answers (an unauthenticated request gets 401
 * with a WWW-Authenticate Bearer challenge naming the resource; the client then asks its
 * credential for a token and sends again). It is a stand-in, not an emulator: it checks that a
 * bearer token is present, not who issued it.
 *
 * The vault is named `<name>.vault.azure.net`, so the client's own check that the challenge's
 * resource matches the vault's domain runs unchanged; the client's agent resolves that one
 * name to 127.0.0.1 and trusts the test certificate, and resolves nothing else.
 */
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { LookupFunction } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { SecretClientOptions } from '@azure/keyvault-secrets';

// selfsigned's typings declare `generate` without exporting it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const selfsigned = require('selfsigned') as {
  generate(attrs: { name: string; value: string }[], options: Record<string, unknown>): { private: string; cert: string };
};

const HOST = 'ej-standin.vault.azure.net';
const TOKEN = 'stand-in-token';
const CHALLENGE = 'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"';

export interface RecordedRequest {
  method: string;
  path: string;
  authorized: boolean;
  status: number;
}

export interface KeyVaultStandIn {
  vaultUrl: string;
  credential: TokenCredential & { scopes: string[] };
  /** Trust for the test certificate and the one host name; pass as SecretClient options. */
  clientOptions: SecretClientOptions;
  /** name -> version -> value, as the vault would hold them. */
  secrets: Map<string, Map<string, string>>;
  requests: RecordedRequest[];
  /** From now on every authenticated call answers this status, until `recover()`. */
  failWith(status: number): void;
  recover(): void;
  close(): Promise<void>;
}

function send(res: import('node:http').ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text).toString(), ...headers });
  res.end(text);
}

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startKeyVaultStandIn(): Promise<KeyVaultStandIn> {
  const pems = selfsigned.generate([{ name: 'commonName', value: HOST }], {
    days: 1,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: HOST }] }],
  });
  const secrets = new Map<string, Map<string, string>>();
  const requests: RecordedRequest[] = [];
  let failure: number | undefined;
  let vaultUrl = '';

  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `https://${HOST}`);
      const authorized = req.headers.authorization === `Bearer ${TOKEN}`;
      const record = (status: number) => requests.push({ method: req.method ?? '', path: url.pathname, authorized, status });
      const body = await readBody(req);
      if (!url.searchParams.get('api-version')) {
        record(400);
        return send(res, 400, { error: { code: 'BadParameter', message: 'api-version is required' } });
      }
      if (!authorized) {
        record(401);
        return send(res, 401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }, { 'www-authenticate': CHALLENGE });
      }
      if (failure !== undefined) {
        record(failure);
        return send(res, failure, { error: { code: 'ServiceUnavailable', message: 'The stand-in is told to fail.' } });
      }
      const [, collection, name, version] = url.pathname.split('/');
      if (collection !== 'secrets' || !name || !/^[0-9A-Za-z-]{1,127}$/.test(name)) {
        record(400);
        return send(res, 400, { error: { code: 'BadParameter', message: 'The request URI contains an invalid name' } });
      }
      const now = Math.floor(Date.now() / 1000);
      const bundle = (v: string, value: string) => ({
        value,
        id: `${vaultUrl}/secrets/${name}/${v}`,
        attributes: { enabled: true, created: now, updated: now, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
      });
      if (req.method === 'PUT' && version === undefined) {
        const { value } = JSON.parse(body) as { value?: unknown };
        if (typeof value !== 'string') {
          record(400);
          return send(res, 400, { error: { code: 'BadParameter', message: 'value is required' } });
        }
        const v = crypto.randomBytes(16).toString('hex');
        if (!secrets.has(name)) secrets.set(name, new Map());
        secrets.get(name)!.set(v, value);
        record(200);
        return send(res, 200, bundle(v, value));
      }
      if (req.method === 'GET' && version) {
        const value = secrets.get(name)?.get(version);
        if (value === undefined) {
          record(404);
          return send(res, 404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name}/${version} was not found in this key vault.` } });
        }
        record(200);
        return send(res, 200, bundle(version, value));
      }
      record(405);
      return send(res, 405, { error: { code: 'MethodNotAllowed', message: 'Not served by the stand-in' } });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  vaultUrl = `https://${HOST}:${port}`;

  const lookup: LookupFunction = (hostname, options, callback) => {
    if (hostname !== HOST) {
      const error = Object.assign(new Error(`The stand-in resolves only ${HOST}`), { code: 'ENOTFOUND' });
      return (callback as (e: Error) => void)(error);
    }
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    return callback(null, '127.0.0.1', 4);
  };
  const agent = new https.Agent({ ca: pems.cert, lookup, keepAlive: false });

  const scopes: string[] = [];
  const credential = {
    scopes,
    async getToken(requested: string | string[]): Promise<AccessToken> {
      scopes.push(...(Array.isArray(requested) ? requested : [requested]));
      return { token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };

  return {
    vaultUrl,
    credential,
    clientOptions: { agent, retryOptions: { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 10 } },
    secrets,
    requests,
    failWith(status) {
      failure = status;
    },
    recover() {
      failure = undefined;
    },
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
