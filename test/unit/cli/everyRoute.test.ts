/**
 * Every route of the API has an elastic-jobs command: for each route in the route table, a
 * command line that sends exactly that method and path to a recording server. A route added
 * without its command fails here. Also the commands added for routes that had none (task show,
 * schedule set, job purge-history, content remove, policy remove, execution list filters) and
 * the CLI's one duration and one timestamp rule.
 */
import { routes } from '../../../src/api/routes';
import { runCli, startFakeApi, type FakeApi, type FakeHandler } from './cliHarness';

const ID = '3f1a6b3e-0000-4000-8000-000000000001';
const MEMBER = '3f1a6b3e-0000-4000-8000-000000000002';

const execution = { id: ID, jobName: 'j', parentId: null, lifecycle: 'Succeeded', target: null, contentVersion: 1, scheduleName: null, createdAt: '2026-11-25T20:00:00.000Z', startTime: null, endTime: '2026-11-25T20:00:00.000Z', lastMessage: null, cancelRequested: false, counts: {}, children: [] };
const task = {
  id: ID,
  jobExecutionId: ID,
  attempt: 1,
  lifecycle: 'Succeeded',
  message: null,
  startTime: null,
  endTime: null,
  output: { resultSets: [{ columns: [{ name: 'orders', type: 'INTEGER' }], rows: [[42]], truncated: false }], messages: ['changed 1 row'], truncated: false, limits: { rowsPerResultSet: 100, totalBytes: 1000 } },
};

/** A command line for each route, by the route's name. */
const COMMANDS: Record<string, string[]> = {
  getHealth: ['health'],
  getOpenApiDocument: ['openapi'],
  getCaller: ['whoami'],
  createCredential: ['credential', 'add', 'c', '-u', 'u', '--allowed-server', '*', '--managed-identity'],
  listCredentials: ['credential', 'list'],
  getCredential: ['credential', 'show', 'c'],
  updateCredential: ['credential', 'set', 'c', '-u', 'v'],
  deleteCredential: ['credential', 'remove', 'c'],
  createContent: ['content', 'add', 'x', '--dacpac-uri', 'https://a.blob.core.windows.net/c/x.dacpac'],
  listContents: ['content', 'list'],
  getContent: ['content', 'show', 'x'],
  listContentVersions: ['content', 'versions', 'x'],
  getContentVersion: ['content', 'show', 'x', '--content-version', '2'],
  createContentVersion: ['content', 'update', 'x', '--dacpac-uri', 'https://a.blob.core.windows.net/c/x.dacpac'],
  deleteContent: ['content', 'remove', 'x'],
  createTarget: ['target', 'add-collection', 'tenants'],
  listTargets: ['target', 'list'],
  getTarget: ['target', 'show', ID],
  deleteTarget: ['target', 'remove', ID],
  listTargetMembers: ['target', 'list', '--members-of', ID],
  addTargetMember: ['target', 'add-member', ID, MEMBER],
  removeTargetMember: ['target', 'remove-member', ID, MEMBER],
  listTargetDatabases: ['target', 'databases', ID],
  createExecutionPolicy: ['policy', 'add', 'p'],
  listExecutionPolicies: ['policy', 'list'],
  getExecutionPolicy: ['policy', 'show', 'p'],
  updateExecutionPolicy: ['policy', 'set', 'p', '--maximum-attempts', '2'],
  deleteExecutionPolicy: ['policy', 'remove', 'p'],
  createJob: ['job', 'create', 'j', '--content', 'x', '--credential', 'c', '--target', ID],
  listJobs: ['job', 'list'],
  getJob: ['job', 'show', 'j'],
  updateJob: ['job', 'set', 'j', '--max-parallelism', '3'],
  deleteJob: ['job', 'remove', 'j'],
  createJobStep: ['step', 'add', 'j', 's', '--content', 'x', '--credential', 'c', '--target', ID],
  listJobSteps: ['step', 'list', 'j'],
  getJobStep: ['step', 'show', 'j', 's'],
  updateJobStep: ['step', 'set', 'j', 's', '--index', '2'],
  deleteJobStep: ['step', 'remove', 'j', 's'],
  purgeJobHistory: ['job', 'purge-history', 'j', '--older-than', '30d'],
  startJobExecution: ['job', 'start', 'j'],
  listExecutions: ['execution', 'list'],
  getExecution: ['execution', 'show', ID],
  waitForExecution: ['execution', 'wait', ID],
  cancelExecution: ['execution', 'cancel', ID],
  rerunExecution: ['execution', 'rerun', ID],
  listTaskExecutions: ['execution', 'tasks', ID, '-o', 'json'],
  getTaskExecution: ['task', 'show', ID],
  createSchedule: ['schedule', 'add', 's', '--every', '15m'],
  listSchedules: ['schedule', 'list'],
  getSchedule: ['schedule', 'show', 's'],
  updateSchedule: ['schedule', 'set', 's', '--every', '2h'],
  deleteSchedule: ['schedule', 'remove', 's'],
  createTrigger: ['trigger', 'add', 'j', 's'],
  listTriggers: ['trigger', 'list'],
  deleteTrigger: ['trigger', 'remove', 'j', 's'],
};

/**
 * Commands that serve a route's purpose through another route: `execution wait` redraws a live
 * view twice a second from GET /executions/{id}, which the long-poll route cannot feed.
 */
const SERVED_THROUGH: Record<string, string> = { waitForExecution: 'executions/{id}' };

/** The route template as a pattern over a request path under /api. */
function pathPattern(template: string): RegExp {
  return new RegExp(`^/api/${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`);
}

let api: FakeApi;
let reply: FakeHandler;
beforeAll(async () => {
  api = await startFakeApi((r) => reply(r));
});
afterAll(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  reply = (r) => {
    if (r.method === 'DELETE') return { status: r.path.startsWith('/api/jobs/') ? 202 : 204 };
    if (r.path.endsWith('/tasks') || r.path.endsWith('/members') || r.path.endsWith('/databases') || /^\/api\/[a-z-]+$/.test(r.path) && r.method === 'GET') return { body: { items: [], nextCursor: null } };
    if (r.path.startsWith('/api/executions') || r.path.endsWith('/executions')) return { status: r.method === 'POST' ? 202 : 200, body: execution };
    if (r.path.startsWith('/api/tasks/')) return { body: task };
    if (r.path === '/api/jobs/j' && r.method === 'GET') return { status: 404, body: { title: 'Not Found', status: 404, detail: "Job 'j' does not exist." } };
    return { status: r.method === 'POST' ? 201 : 200, body: { name: 'x', id: ID, deleted: 3, status: 'ok', controlDatabase: 'ok', version: '1', access: 'admin', ...((r.body as object) ?? {}) } };
  };
});

describe('a command for every route', () => {
  it('the table names every route of the route table, and nothing else', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(routes.map((r) => r.name).sort());
  });

  for (const route of routes) {
    it(`${route.name}: ${route.method} /${route.path}`, async () => {
      const argv = COMMANDS[route.name];
      expect(argv).toBeDefined();
      const result = await runCli(api, argv);
      const sent = api.requests.filter((r) => r.method === route.method && pathPattern(SERVED_THROUGH[route.name] ?? route.path).test(r.path));
      if (sent.length === 0) throw new Error(`'${argv.join(' ')}' sent ${JSON.stringify(api.requests.map((r) => `${r.method} ${r.path}`))}; exit ${result.code}: ${result.stderr}`);
    });
  }
});

describe('the commands added for routes that had none', () => {
  it('task show prints the attempt and its captured result sets and messages', async () => {
    const { code, stdout } = await runCli(api, ['task', 'show', ID]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Lifecycle:\s+Succeeded$/m);
    expect(stdout).toMatch(/Result set 1 \(1 row\):\norders\n42\n/);
    expect(stdout).toContain('changed 1 row');
  });

  it('execution tasks -o json asks for and carries each attempt\'s output', async () => {
    reply = () => ({ body: { items: [task], nextCursor: null } });
    const { stdout } = await runCli(api, ['execution', 'tasks', ID, '-o', 'json']);
    expect(api.requests[0].query.includeOutput).toBe('true');
    expect(JSON.parse(stdout).items[0].output.messages).toEqual(['changed 1 row']);
  });

  it('execution list sends the lifecycle and time window filters', async () => {
    await runCli(api, ['execution', 'list', '--lifecycle', 'Failed', '-l', 'TimedOut', '--since', '2026-11-01T00:00:00Z', '--until', '2026-11-02T00:00:00+01:00']);
    expect(api.requests[0].query).toMatchObject({ lifecycle: 'Failed,TimedOut', createdAfter: '2026-11-01T00:00:00Z', createdBefore: '2026-11-02T00:00:00+01:00' });
  });

  it('execution list takes "this long ago" for the window too (--since 1h)', async () => {
    const before = Date.now();
    await runCli(api, ['execution', 'list', '--all', '--since', '1h']);
    const after = Date.parse(api.requests[0].query.createdAfter as string);
    expect(after).toBeGreaterThanOrEqual(before - 3_600_000 - 1_000);
    expect(after).toBeLessThanOrEqual(Date.now() - 3_600_000 + 1_000);
  });

  it('schedule set sends only what changes, --no-end clears the end', async () => {
    await runCli(api, ['schedule', 'set', 'nightly', '--cron', '0 3 * * *', '--no-end']);
    expect(api.requests[0]).toMatchObject({ method: 'PUT', path: '/api/schedules/nightly', body: { cron: '0 3 * * *', endTime: null } });
  });

  it('job purge-history takes a duration or a time', async () => {
    await runCli(api, ['job', 'purge-history', 'j', '--older-than', '30d']);
    await runCli(api, ['job', 'purge-history', 'j', '--older-than', '2026-10-01T00:00:00Z']);
    expect(api.requests.map((r) => r.body)).toEqual([{ olderThan: 'P30D' }, { olderThan: '2026-10-01T00:00:00Z' }]);
  });

  it('job remove says the job is gone when the API removed it at once', async () => {
    const { stdout } = await runCli(api, ['job', 'remove', 'j']);
    expect(stdout).toBe('Removed job j with its history.\n');
  });
});

describe('one duration rule and one timestamp rule', () => {
  it.each([
    ['3s', 'PT3S'],
    ['15m', 'PT15M'],
    ['1.5h', 'PT1.5H'],
    ['2d', 'P2D'],
    ['1w', 'P1W'],
    ['PT3S', 'PT3S'],
    ['pt10m', 'PT10M'],
  ])('policy --job-timeout %s is sent as %s', async (given, sent) => {
    await runCli(api, ['policy', 'set', 'p', '--job-timeout', given]);
    expect(api.requests[0].body).toEqual({ jobTimeout: sent });
  });

  it('execution wait --timeout takes 3s as well as PT3S', async () => {
    expect((await runCli(api, ['execution', 'wait', ID, '--timeout', '3s'])).code).toBe(0);
    expect((await runCli(api, ['execution', 'wait', ID, '--timeout', 'PT3S'])).code).toBe(0);
  });

  it('refuses a month or a bare number as a duration, saying what is accepted', async () => {
    const { code, stderr } = await runCli(api, ['policy', 'set', 'p', '--job-timeout', '1mo']);
    expect(code).toBe(1);
    expect(stderr).toContain('30s, 15m, 2h, 1d, 1w, or ISO 8601');
    expect(api.requests).toHaveLength(0);
  });

  it('refuses a time without a zone: add a zone offset or Z', async () => {
    const { code, stderr } = await runCli(api, ['schedule', 'add', 'once', '--once', '--start', '2026-12-01T02:00:00']);
    expect(code).toBe(1);
    expect(stderr).toContain('add a zone offset or Z, e.g. 2026-12-01T02:00:00Z');
    expect(api.requests).toHaveLength(0);
  });
});
