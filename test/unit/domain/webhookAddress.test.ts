import { classifyAddress, refusedAddress, webhookUrlProblem } from '../../../src/domain/webhookAddress';

describe('classifyAddress', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['169.254.10.1', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['192.0.2.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['172.32.0.1', 'public'],
    ['20.50.2.1', 'public'],
    ['2606:4700::1111', 'public'],
    ['[::1]', 'loopback'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('answers undefined for a name', () => {
    expect(classifyAddress('hooks.example.com')).toBeUndefined();
  });
});

describe('webhookUrlProblem', () => {
  it.each([
    'https://hooks.example.com/elastic-jobs',
    'https://20.50.2.1:8443/hook',
    'https://[2606:4700::1111]/hook',
  ])('admits %s on both hosts', (url) => {
    expect(webhookUrlProblem(url, 'azure')).toBeUndefined();
    expect(webhookUrlProblem(url, 'local')).toBeUndefined();
  });

  it.each([
    'http://169.254.169.254/metadata/instance',
    'https://169.254.169.254/metadata/instance',
    // The same address spelled as the URL parser still reads it.
    'https://2852039166/',
    'https://0xA9.0xFE.0xA9.0xFE/',
    'https://[::ffff:169.254.169.254]/',
    'https://168.63.129.16/',
    'https://metadata.google.internal/',
    'https://169.254.1.1/',
    'https://[fe80::1]/',
    'https://0.0.0.0/',
  ])('refuses %s on both hosts, naming no path or query', (url) => {
    for (const host of ['azure', 'local'] as const) {
      const problem = webhookUrlProblem(url, host);
      expect(problem).toMatch(/^must not point at /);
      expect(problem).not.toContain('/metadata/instance');
    }
  });

  it('refuses loopback and private addresses in Azure, admits them on the local host', () => {
    for (const url of ['https://127.0.0.1:9000/hook', 'https://localhost/hook', 'https://10.0.0.5/hook', 'https://192.168.1.10/hook', 'https://[::1]/hook']) {
      expect(webhookUrlProblem(url, 'azure')).toMatch(/in Azure only public addresses are allowed/);
      expect(webhookUrlProblem(url, 'local')).toBeUndefined();
    }
  });

  it('takes plain http only to loopback on the local host', () => {
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', 'local')).toBeUndefined();
    expect(webhookUrlProblem('http://localhost:9000/hook', 'local')).toBeUndefined();
    expect(webhookUrlProblem('http://[::1]:9000/hook', 'local')).toBeUndefined();
    expect(webhookUrlProblem('http://hooks.example.com/hook', 'local')).toMatch(/must be an https URL/);
    expect(webhookUrlProblem('http://10.0.0.5/hook', 'local')).toMatch(/must be an https URL/);
    expect(webhookUrlProblem('http://hooks.example.com/hook', 'azure')).toBe('must be an https URL');
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', 'azure')).toMatch(/in Azure only public addresses/);
  });

  it('refuses what is not an http(s) URL, and user info', () => {
    expect(webhookUrlProblem('hooks.example.com/x', 'local')).toMatch(/absolute URL/);
    expect(webhookUrlProblem('ftp://hooks.example.com/x', 'local')).toBe('must be an https URL');
    expect(webhookUrlProblem('file:///etc/passwd', 'local')).toBe('must be an https URL');
    const withPassword = webhookUrlProblem('https://user:hunter2@hooks.example.com/x', 'azure');
    expect(withPassword).toMatch(/user name or password/);
    expect(withPassword).not.toContain('hunter2');
  });
});

describe('refusedAddress (send time, after DNS)', () => {
  it('refuses the metadata address on both hosts, and private ones in Azure', () => {
    expect(refusedAddress('169.254.169.254', 'https:', 'local')).toMatch(/cloud metadata/);
    expect(refusedAddress('169.254.169.254', 'https:', 'azure')).toMatch(/cloud metadata/);
    expect(refusedAddress('10.0.0.4', 'https:', 'azure')).toMatch(/private-network/);
    expect(refusedAddress('10.0.0.4', 'https:', 'local')).toBeUndefined();
    expect(refusedAddress('20.50.2.1', 'https:', 'azure')).toBeUndefined();
  });

  it('lets plain http reach loopback only, on the local host only', () => {
    expect(refusedAddress('127.0.0.1', 'http:', 'local')).toBeUndefined();
    expect(refusedAddress('20.50.2.1', 'http:', 'local')).toMatch(/plain http/);
    expect(refusedAddress('127.0.0.1', 'http:', 'azure')).toMatch(/loopback/);
  });
});
