/**
 * The Azure orchestration client against a stand-in for the Durable extension's HTTP API (the
 * endpoints durable-functions' client calls through rpcBaseUrl), answering as the extension does:
 * 202 for a started instance or a delivered event, 410 for an event to an instance that is not
 * running, 404 for one that does not exist.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { createDurableOrchestrationClient } from '../../../src/execution/durableOrchestrationClient';

interface Instance {
  name: string;
  status: 'Running' | 'Completed';
  input: unknown;
}

let server: http.Server;
let base: string;
const instances = new Map<string, Instance>();
const requests: string[] = [];
const events: { instanceId: string; name: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const reply = (status: number, data?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(data === undefined ? '' : JSON.stringify(data));
      };
      const url = new URL(req.url!, 'http://x');
      let m = /^\/durabletask\/orchestrators\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && m) {
        const [, name, id] = m;
        if (id === 'broken') return reply(500, { message: 'storage unavailable' });
        if (instances.get(id)?.status === 'Running') return reply(409, { message: `An instance with ID '${id}' already exists.` });
        instances.set(id, { name, status: 'Running', input: JSON.parse(body) });
        return reply(202, { id });
      }
      m = /^\/durabletask\/instances\/([^/]+)\/raiseEvent\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && m) {
        const instance = instances.get(m[1]);
        if (!instance) return reply(404);
        if (instance.status !== 'Running') return reply(410);
        events.push({ instanceId: m[1], name: m[2], body });
        return reply(202);
      }
      m = /^\/durabletask\/instances\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && m) {
        const instance = instances.get(m[1]);
        if (!instance) return reply(404);
        const now = new Date().toISOString();
        return reply(200, { name: instance.name, instanceId: m[1], createdTime: now, lastUpdatedTime: now, input: instance.input, output: null, runtimeStatus: instance.status });
      }
      reply(500, { message: 'unexpected request' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/durabletask/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  instances.clear();
  requests.length = 0;
  events.length = 0;
});

function invocation(): InvocationContext {
  const binding = df.input.durableClient();
  const context = new InvocationContext({ functionName: 'startJobExecution', invocationId: 'inv-1', options: { extraInputs: [binding] } });
  context.extraInputs.set(binding, { taskHubName: 'ElasticJobs', creationUrls: {}, managementUrls: {}, rpcBaseUrl: base });
  return context;
}

describe('Durable Functions orchestration client', () => {
  it('starts the job orchestration with the execution id as instance id', async () => {
    await createDurableOrchestrationClient(invocation()).startJobExecution('e1');
    expect(instances.get('e1')).toEqual({ name: 'jobOrchestrator', status: 'Running', input: { executionId: 'e1' } });
  });

  it('accepts a second start of an execution whose orchestration is running, and fails when the start really failed', async () => {
    instances.set('e1', { name: 'jobOrchestrator', status: 'Running', input: { executionId: 'e1' } });
    await expect(createDurableOrchestrationClient(invocation()).startJobExecution('e1')).resolves.toBeUndefined();
    expect(requests).toEqual(['POST /durabletask/orchestrators/jobOrchestrator/e1', 'GET /durabletask/instances/e1']);
    await expect(createDurableOrchestrationClient(invocation()).startJobExecution('broken')).rejects.toThrow(/500.*storage unavailable/);
  });

  it('raises cancel to every instance and ignores those not running or never started', async () => {
    instances.set('parent', { name: 'jobOrchestrator', status: 'Running', input: {} });
    instances.set('parent:lane:0', { name: 'laneOrchestrator', status: 'Running', input: {} });
    instances.set('parent:lane:1', { name: 'laneOrchestrator', status: 'Completed', input: {} });
    await createDurableOrchestrationClient(invocation()).raiseCancel(['parent', 'parent:lane:0', 'parent:lane:1', 'parent:lane:2']);
    expect(events.map((e) => [e.instanceId, e.name]).sort()).toEqual([
      ['parent', 'cancel'],
      ['parent:lane:0', 'cancel'],
    ]);
    expect(requests).toHaveLength(4);
  });

  it('needs the invocation, whose durable client binding it uses', () => {
    expect(() => createDurableOrchestrationClient()).toThrow(/needs the current invocation/);
  });
});
