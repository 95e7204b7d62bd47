/**
 * A job's webhook (`notify: {url, on}`) through the jobs routes on each control database: stored
 * and returned with `on` defaulted, cleared with null; refused with a 400 that writes nothing
 * when WEBHOOK_SIGNING_KEY is unset, when the URL points where this host may not send (the
 * metadata address everywhere; plain http, loopback and private addresses in Azure), or when the
 * body is malformed. The signing key appears in no answer and no log line.
 */
import type { HostKind } from '../../../src/config';
import { createApiHarness, type ApiHarness } from '../../support/apiHarness';
import { ManualClock } from '../../support/clock';
import { CONTROL_DIALECTS } from '../../support/controlDatabases';

const NOW = '2026-11-25T20:00:00.000Z';
const SIGNING_KEY = 'whsec-test-0123456789abcdefghijklmnop';

async function harness(dialect: (typeof CONTROL_DIALECTS)[number], env: Record<string, string>, host: HostKind): Promise<{ api: ApiHarness; job: (name: string, extra?: object) => object }> {
  const api = await createApiHarness(dialect, { clock: new ManualClock(NOW) }, env, host);
  const ok = async (path: string, body: object) => {
    const res = await api.call('POST', path, { body });
    if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  await ok('credentials', { name: 'runner', username: 'u', password: 'runner-p4ss', allowedServers: ['*.example'] });
  await ok('contents', { name: 'script', type: 'script', commandText: 'SELECT 1' });
  const target = await ok('targets', { type: 'database', serverName: 'db.example', databaseName: 'orders' });
  return { api, job: (name, extra = {}) => ({ name, contentName: 'script', credentialName: 'runner', targetId: target.id, ...extra }) };
}

const jobCount = async (api: ApiHarness) => Number((await api.services.control.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const jobRow = (api: ApiHarness, name: string) => api.services.control.db.selectFrom('jobs').selectAll().where('name', '=', name).executeTakeFirst();

describe.each(CONTROL_DIALECTS)('job webhooks on a %s control database', (dialect) => {
  describe('on the local host with a signing key', () => {
    let api: ApiHarness;
    let job: (name: string, extra?: object) => object;
    beforeAll(async () => {
      ({ api, job } = await harness(dialect, { WEBHOOK_SIGNING_KEY: SIGNING_KEY }, 'local'));
    });
    afterAll(async () => api.close());

    it('stores a webhook with on defaulted to Failed and TimedOut, returns it, and clears it with null', async () => {
      const created = await api.call('POST', 'jobs', { body: job('hooked', { notify: { url: 'http://127.0.0.1:9000/hook' } }) });
      expect(created.status).toBe(201);
      expect(created.body.notify).toEqual({ url: 'http://127.0.0.1:9000/hook', on: ['Failed', 'TimedOut'] });
      expect((await api.call('GET', 'jobs/hooked')).body.notify).toEqual({ url: 'http://127.0.0.1:9000/hook', on: ['Failed', 'TimedOut'] });

      const changed = await api.call('PUT', 'jobs/hooked', { body: { notify: { url: 'https://hooks.example.com/x', on: ['Succeeded', 'Failed', 'Succeeded'] } } });
      expect(changed.status).toBe(200);
      expect(changed.body.notify).toEqual({ url: 'https://hooks.example.com/x', on: ['Succeeded', 'Failed'] });
      // Other changes leave it as it is.
      expect((await api.call('PUT', 'jobs/hooked', { body: { maxParallelism: 3 } })).body.notify).toEqual({ url: 'https://hooks.example.com/x', on: ['Succeeded', 'Failed'] });

      const cleared = await api.call('PUT', 'jobs/hooked', { body: { notify: null } });
      expect(cleared.body.notify).toBeNull();
      expect(await jobRow(api, 'hooked')).toMatchObject({ notifyUrl: null, notifyOn: null, notifySince: null });
    });

    it.each([
      ['the metadata address', { url: 'http://169.254.169.254/metadata/identity/oauth2/token' }, 'body.notify.url', /metadata/],
      ['the metadata address over https', { url: 'https://169.254.169.254/' }, 'body.notify.url', /metadata/],
      ['the metadata address as a mapped IPv6 literal', { url: 'https://[::ffff:169.254.169.254]/' }, 'body.notify.url', /metadata/],
      ['a link-local address', { url: 'https://169.254.3.4/' }, 'body.notify.url', /link-local/],
      ['plain http to another machine', { url: 'http://hooks.example.com/x' }, 'body.notify.url', /https/],
      ['a URL that is not one', { url: 'hooks.example.com/x' }, 'body.notify.url', /absolute URL/],
      ['an unknown lifecycle', { url: 'https://hooks.example.com/x', on: ['Exploded'] }, 'body.notify.on.0', /./],
      ['an empty on', { url: 'https://hooks.example.com/x', on: [] }, 'body.notify.on', /./],
      ['an unknown field', { url: 'https://hooks.example.com/x', secret: 'x' }, 'body.notify.secret', /./],
      ['a url that is not a string', { url: 5 }, 'body.notify.url', /./],
      ['no url', { on: ['Failed'] }, 'body.notify.url', /./],
    ])('refuses %s at create with 400, writing nothing', async (_label, notify, path, message) => {
      const before = await jobCount(api);
      const res = await api.call('POST', 'jobs', { body: job('refused', { notify }) });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json');
      const error = res.body.errors.find((e: { path: string }) => e.path === path);
      expect(error).toBeDefined();
      expect(error.message).toMatch(message);
      expect(await jobCount(api)).toBe(before);
    });

    it('refuses a bad webhook on change with 400 and leaves the job as it was', async () => {
      await api.call('POST', 'jobs', { body: job('kept', { notify: { url: 'https://hooks.example.com/ok' } }) });
      const stored = await jobRow(api, 'kept');
      for (const notify of [{ url: 'https://169.254.169.254/' }, { url: 'ftp://hooks.example.com/' }, { url: 'https://hooks.example.com/x', on: 'Failed' }]) {
        expect((await api.call('PUT', 'jobs/kept', { body: { notify, maxParallelism: 7 } })).status).toBe(400);
      }
      expect(await jobRow(api, 'kept')).toEqual(stored);
    });

    it('never shows the signing key in an answer or a log line', async () => {
      const text = (await api.call('GET', 'jobs?limit=1000')).text;
      expect(text).not.toContain(SIGNING_KEY);
      expect(api.logs.join('\n')).not.toContain(SIGNING_KEY);
    });
  });

  describe('on a host without WEBHOOK_SIGNING_KEY', () => {
    let api: ApiHarness;
    let job: (name: string, extra?: object) => object;
    beforeAll(async () => {
      ({ api, job } = await harness(dialect, {}, 'local'));
    });
    afterAll(async () => api.close());

    it('refuses a job with notify with 400 naming the setting, at create and at change, writing nothing', async () => {
      const before = await jobCount(api);
      const res = await api.call('POST', 'jobs', { body: job('unsigned', { notify: { url: 'https://hooks.example.com/x' } }) });
      expect(res.status).toBe(400);
      expect(res.body.detail).toContain('WEBHOOK_SIGNING_KEY');
      expect(res.body.errors).toEqual([{ path: 'body.notify', message: 'needs the WEBHOOK_SIGNING_KEY setting' }]);
      expect(await jobCount(api)).toBe(before);

      expect((await api.call('POST', 'jobs', { body: job('plain') })).status).toBe(201);
      const stored = await jobRow(api, 'plain');
      const change = await api.call('PUT', 'jobs/plain', { body: { notify: { url: 'https://hooks.example.com/x' }, enabled: false } });
      expect(change.status).toBe(400);
      expect(change.body.detail).toContain('WEBHOOK_SIGNING_KEY');
      expect(await jobRow(api, 'plain')).toEqual(stored);
    });
  });

  describe('in Azure with a signing key', () => {
    let api: ApiHarness;
    let job: (name: string, extra?: object) => object;
    beforeAll(async () => {
      ({ api, job } = await harness(dialect, { WEBHOOK_SIGNING_KEY: SIGNING_KEY }, 'azure'));
    });
    afterAll(async () => api.close());

    it.each([
      ['plain http', 'http://hooks.example.com/x', /https/],
      ['loopback', 'https://127.0.0.1:9000/x', /loopback/],
      ['localhost', 'https://localhost/x', /loopback/],
      ['a private address', 'https://10.1.2.3/x', /private/],
      ['the metadata address', 'https://169.254.169.254/x', /metadata/],
      ['the wire server', 'https://168.63.129.16/x', /metadata/],
    ])('refuses %s with 400, writing nothing', async (_label, url, message) => {
      const before = await jobCount(api);
      const res = await api.call('POST', 'jobs', { body: job('refused', { notify: { url } }) });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'body.notify.url', message: expect.stringMatching(message) }]);
      expect(await jobCount(api)).toBe(before);
    });

    it('takes an https URL on a public name', async () => {
      const res = await api.call('POST', 'jobs', { body: job('public', { notify: { url: 'https://hooks.example.com/elastic-jobs', on: ['Failed'] } }) });
      expect(res.status).toBe(201);
      expect(res.body.notify).toEqual({ url: 'https://hooks.example.com/elastic-jobs', on: ['Failed'] });
    });
  });
});
