/**
 * `job start --wait` and `execution wait`: the live view while the execution moves, then the
 * exit code of how it ended. The recording server plays a scripted series of snapshots.
 */
import type { JobExecution } from '../../../src/domain/schemas/execution';
import { aChild, aParent, withChildren } from './builders';
import { run } from '../../../src/cli/main';
import { memoryIo, runCli, startFakeApi, type FakeApi, type FakeReply } from './cliHarness';

let api: FakeApi;
let script: Array<FakeReply | JobExecution> = [];
let polls = 0;
let tasks: Array<{ jobExecutionId: string; attempt: number }> = [];

beforeAll(async () => {
  api = await startFakeApi((r) => {
    if (r.method === 'POST' && r.path === '/api/jobs/add-index/executions') return { status: 202, body: script[0] };
    if (r.path.endsWith('/tasks')) return { body: { items: tasks.map((t, i) => ({ id: `t${i}`, lifecycle: 'Succeeded', message: null, startTime: null, endTime: null, ...t })), nextCursor: null } };
    const step = script[Math.min(polls++, script.length - 1)];
    return 'lifecycle' in step ? { body: step } : step;
  });
});
afterAll(() => api.close());
beforeEach(() => {
  polls = 0;
  tasks = [];
  api.requests.length = 0;
});

const parent = aParent({ lifecycle: 'InProgress' });
const a = aChild(parent, 'a.db', 'InProgress');
const b = aChild(parent, 'b.db', 'InProgress');
const running = withChildren({ ...parent, lifecycle: 'WaitingForChildJobExecutions' }, [a, b]);
const ended = (lifecycle: JobExecution['lifecycle'], childB: Partial<JobExecution> = {}) =>
  withChildren({ ...parent, lifecycle, endTime: '2026-11-25T20:00:09.000Z' }, [{ ...a, lifecycle: 'Succeeded' }, { ...b, lifecycle: 'Succeeded', ...childB }]);

describe('waiting for an execution', () => {
  it('job start --wait follows the execution in plain lines off a terminal and exits 0 when it succeeds', async () => {
    script = [parent, running, ended('Succeeded')];
    tasks = [
      { jobExecutionId: a.id, attempt: 1 },
      { jobExecutionId: b.id, attempt: 1 },
    ];
    const { code, stdout } = await runCli(api, ['job', 'start', 'add-index', '--wait']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('\u001b');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(`Started execution ${parent.id} of job add-index.`);
    expect(lines).toContain('  tenants/a.db InProgress (attempt 1)');
    expect(lines).toContain('  tenants/a.db Succeeded (attempt 1)');
    expect(lines).toContain('  progress 2/2: Succeeded 2');
    expect(lines.at(-1)).toMatch(new RegExp(`^Succeeded: execution ${parent.id} of job add-index after 9s \\(Succeeded 2\\)$`));
    const polled = api.requests.filter((r) => r.path === `/api/executions/${parent.id}`);
    expect(polled.every((r) => r.query.includeChildren === 'true')).toBe(true);
  });

  it.each([
    ['Failed', 2, { lifecycle: 'Failed' as const, lastMessage: 'no such table: t' }],
    ['TimedOut', 3, { lifecycle: 'TimedOut' as const, lastMessage: 'job timeout PT1S expired' }],
    ['Canceled', 4, { lifecycle: 'Canceled' as const }],
    ['SucceededWithSkipped', 0, { lifecycle: 'Skipped' as const }],
  ])('execution wait exits with the code of %s', async (lifecycle, exitCode, childB: Partial<JobExecution>) => {
    script = [running, ended(lifecycle as JobExecution['lifecycle'], childB)];
    const { code, stdout } = await runCli(api, ['execution', 'wait', parent.id]);
    expect(code).toBe(exitCode);
    const outcome = stdout.slice(stdout.lastIndexOf(`${lifecycle}: execution ${parent.id}`));
    expect(outcome.split('\n')[1]).toBe(`  ${childB.lifecycle} tenants/b.db${childB.lastMessage ? `: ${childB.lastMessage}` : ''}`);
  });

  it('after SucceededWithSkipped, lists every skipped database with why, and exits 0', async () => {
    const skipped = ['c.db', 'd.db', 'e.db'].map((db) => ({ ...aChild(parent, db, 'Skipped'), lastMessage: `Skipped: database '${db}' does not exist on server 'tenants' (it was listed when the job started and has been removed since).` }));
    const done = withChildren({ ...parent, lifecycle: 'SucceededWithSkipped', endTime: '2026-11-25T20:00:09.000Z' }, [{ ...a, lifecycle: 'Succeeded' }, ...skipped]);
    script = [running, done];
    const { code, stdout } = await runCli(api, ['execution', 'wait', parent.id]);
    expect(code).toBe(0);
    const outcome = stdout.slice(stdout.lastIndexOf(`SucceededWithSkipped: execution ${parent.id}`)).trim().split('\n');
    expect(outcome.slice(1)).toEqual(skipped.map((c) => `  Skipped tenants/${c.target!.databaseName}: ${c.lastMessage}`));
  });

  it('with --output json, stdout is only the final execution (children included) and the progress goes to stderr', async () => {
    script = [parent, running, ended('Failed', { lifecycle: 'Failed', lastMessage: 'boom' })];
    const { code, stdout, stderr } = await runCli(api, ['job', 'start', 'add-index', '--wait', '-o', 'json']);
    expect(code).toBe(2);
    const final = JSON.parse(stdout);
    expect(final).toMatchObject({ id: parent.id, lifecycle: 'Failed' });
    expect(final.children).toHaveLength(2);
    expect(stderr).toContain('tenants/b.db Failed: boom');
  });

  it('on a terminal, redraws one frame in place', async () => {
    script = [running, running, ended('Succeeded')];
    const { code, stdout } = await runCli(api, ['execution', 'wait', parent.id], { stdoutTty: true });
    expect(code).toBe(0);
    expect(stdout).toContain('\u001b[?25l');
    expect(stdout).toMatch(/\u001b\[4A\r\u001b\[J/);
    expect(stdout).toContain('2/2  Succeeded 2');
    expect(stdout).toContain('\u001b[?25h');
  });

  it('rides out a few failed polls (an app restarting answers 503)', async () => {
    script = [running, { status: 503, body: { title: 'Service Unavailable', status: 503, detail: 'restarting' } }, ended('Succeeded')];
    const { code } = await runCli(api, ['execution', 'wait', parent.id]);
    expect(code).toBe(0);
  });

  it('gives up on an API error that retrying cannot fix, exit 1', async () => {
    script = [{ status: 404, body: { title: 'Not Found', status: 404, detail: `Job execution '${parent.id}' does not exist.` } }];
    const { code, stderr } = await runCli(api, ['execution', 'wait', parent.id]);
    expect(code).toBe(1);
    expect(stderr).toBe(`error: Job execution '${parent.id}' does not exist. (404)\n`);
  });

  it('--timeout stops waiting with the execution still running, exit 6', async () => {
    script = [running];
    const { code, stderr } = await runCli(api, ['execution', 'wait', parent.id, '--timeout', 'PT0.3S']);
    expect(code).toBe(6);
    expect(stderr).toContain(`is still WaitingForChildJobExecutions after --timeout`);
  });

  it('Ctrl-C stops watching, says how to find the execution again, exit 130', async () => {
    script = [running];
    const memory = memoryIo();
    const pending = run(['--url', api.url, 'execution', 'wait', parent.id], memory.io);
    await new Promise((r) => setTimeout(r, 200));
    memory.interrupt();
    expect(await pending).toBe(130);
    expect(memory.stderr.text).toContain(`Stopped watching; execution ${parent.id} goes on. Watch it again with: elastic-jobs execution wait ${parent.id}`);
  });
});
