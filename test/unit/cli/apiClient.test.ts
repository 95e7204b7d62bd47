import { apiRoot, createApiClient } from '../../../src/cli/apiClient';
import { startFakeApi } from './cliHarness';

describe('API client', () => {
  it.each([
    ['http://127.0.0.1:7071', 'http://127.0.0.1:7071/api'],
    ['http://127.0.0.1:7071/', 'http://127.0.0.1:7071/api'],
    ['http://127.0.0.1:7071/api/', 'http://127.0.0.1:7071/api'],
    ['https://jobs-abc.azurewebsites.net/api', 'https://jobs-abc.azurewebsites.net/api'],
    ['https://gateway.example/elastic-jobs?x=1', 'https://gateway.example/elastic-jobs/api'],
  ])('reads %s as the API root %s', (url, root) => {
    expect(apiRoot(url)).toBe(root);
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => apiRoot('127.0.0.1:7071')).toThrow(/--url must be an http\(s\) URL/);
    expect(() => apiRoot('not a url')).toThrow(/--url must be an http\(s\) URL/);
  });

  it('sends JSON with the key header and leaves undefined query values out', async () => {
    const api = await startFakeApi(() => ({ status: 201, body: { ok: true } }));
    try {
      const client = createApiClient(api.url, 'secret-key-0000000');
      expect(await client.post('things', { a: 1 })).toEqual({ ok: true });
      await client.get('things', { a: 'x', b: undefined });
      expect(api.requests[0]).toMatchObject({ method: 'POST', body: { a: 1 }, headers: { 'content-type': 'application/json', 'x-functions-key': 'secret-key-0000000' } });
      expect(api.requests[1].query).toEqual({ a: 'x' });
    } finally {
      await api.close();
    }
  });

  it('with --limit, returns one page and its cursor instead of following them', async () => {
    const api = await startFakeApi(() => ({ body: { items: [1], nextCursor: 'next' } }));
    try {
      expect(await createApiClient(api.url).list('things', { limit: 1 })).toEqual({ items: [1], nextCursor: 'next' });
      expect(api.requests).toHaveLength(1);
    } finally {
      await api.close();
    }
  });
});
