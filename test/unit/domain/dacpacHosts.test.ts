import { DEFAULT_DACPAC_ALLOWED_HOSTS, dacpacUriRefusal, parseDacpacHostPattern } from '../../../src/domain/dacpacHosts';
import { ConfigError, loadConfig } from '../../../src/config';

const patterns = (...list: string[]) => list.map((p) => parseDacpacHostPattern(p)!);
const defaults = patterns(...DEFAULT_DACPAC_ALLOWED_HOSTS);

describe('DACPAC hosts', () => {
  it.each([
    'https://stej42.blob.core.windows.net/dacpacs/v2.dacpac',
    'https://stej42.blob.core.windows.net/dacpacs/v2.dacpac?sv=2024-08-04&sig=abc',
    'https://STEJ42.Blob.Core.Windows.Net:443/dacpacs/v2.dacpac',
  ])('admits %s by default', (uri) => {
    expect(dacpacUriRefusal(uri, defaults)).toBeUndefined();
  });

  it.each([
    ['https://blob.core.windows.net/x.dacpac', 'DACPAC_ALLOWED_HOSTS'],
    ['https://stej42.blob.core.windows.net.evil.example/x.dacpac', 'DACPAC_ALLOWED_HOSTS'],
    ['https://stej42.blob.core.windows.net:8443/x.dacpac', 'DACPAC_ALLOWED_HOSTS'],
    ['http://127.0.0.1:10000/devstoreaccount1/x.dacpac?sig=a', 'DACPAC_ALLOWED_HOSTS'],
    ['https://169.254.169.254/metadata?sig=a', 'DACPAC_ALLOWED_HOSTS'],
    ['http://stej42.blob.core.windows.net/x.dacpac', 'https'],
    ['https://u:p@stej42.blob.core.windows.net/x.dacpac', 'user name'],
    ['x.dacpac', 'not a valid URI'],
  ])('refuses %s by default (%s)', (uri, why) => {
    expect(dacpacUriRefusal(uri, defaults)).toContain(why);
  });

  it('admits a loopback port (Azurite) only when listed with that port, and no other port', () => {
    const azurite = patterns('*.blob.core.windows.net', '127.0.0.1:10000');
    expect(dacpacUriRefusal('http://127.0.0.1:10000/devstoreaccount1/x.dacpac?sig=a', azurite)).toBeUndefined();
    expect(dacpacUriRefusal('http://127.0.0.1:10001/devstoreaccount1/x.dacpac?sig=a', azurite)).toContain('DACPAC_ALLOWED_HOSTS');
    // 2130706433 is 127.0.0.1 spelt as one number: URL brings it to the dotted form first.
    expect(dacpacUriRefusal('http://2130706433:10000/devstoreaccount1/x.dacpac', azurite)).toBeUndefined();
  });

  it('names the host in the refusal, never the query', () => {
    expect(dacpacUriRefusal('https://evil.example:444/x?sv=1&sig=SECRET', defaults)).toBe('names host evil.example:444, which DACPAC_ALLOWED_HOSTS does not list');
  });

  it.each(['*', '*.', 'https://x.example', 'x.example/path', 'x.example:0', 'x.example:70000', '*.*.example', 'a b'])('is not a pattern: %j', (text) => {
    expect(parseDacpacHostPattern(text)).toBeUndefined();
  });

  it('is read once from DACPAC_ALLOWED_HOSTS, and a wrong list stops the start naming it', () => {
    expect(loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej' }, 'azure').dacpacAllowedHosts).toEqual(defaults);
    expect(loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej', DACPAC_ALLOWED_HOSTS: ' stej42.blob.core.windows.net , 127.0.0.1:10000 ' }).dacpacAllowedHosts).toEqual([
      { wildcard: false, name: 'stej42.blob.core.windows.net', port: undefined },
      { wildcard: false, name: '127.0.0.1', port: 10000 },
    ]);
    expect(() => loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej', DACPAC_ALLOWED_HOSTS: '*' })).toThrow(ConfigError);
    expect(() => loadConfig({ ELASTIC_JOBS_DATA_DIR: '/tmp/ej', DACPAC_ALLOWED_HOSTS: ',' })).toThrow(/DACPAC_ALLOWED_HOSTS/);
  });
});
