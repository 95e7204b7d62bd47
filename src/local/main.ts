/**
 * `npm start`: the whole product in one process, with no Azure at all. The same route table,
 * orchestrators and scheduler as in Azure; the control database is an embedded SQLite file
 * under ELASTIC_JOBS_DATA_DIR unless CONTROL_DB says otherwise.
 */
import type http from 'node:http';
import { ConfigError, loadConfig, type Config } from '../config';
import { startLocalScheduler, type LocalSchedulerOptions } from '../scheduler/localScheduler';
import type { Services } from '../services';
import { createLocalServices, type LocalRuntime } from './runtime';
import { createLocalServer, listen } from './server';

export interface LocalHost {
  url: string;
  services: Services;
  runtime: LocalRuntime;
  server: http.Server;
  /** Job executions found unfinished in the control database at start and resumed. */
  resumed: number;
  stop(): Promise<void>;
}

export interface LocalHostOptions {
  /** The in-process scheduler; `false` for a host that only runs what it is asked to (the demo). */
  scheduler?: LocalSchedulerOptions | false;
}

/** Seconds between scheduler ticks on the local host: fires start within this of their time. */
const LOCAL_TICK_MS = 5_000;

export async function startLocalHost(config: Config, options: LocalHostOptions = {}): Promise<LocalHost> {
  const { services, runtime } = await createLocalServices(config);
  const server = createLocalServer(services);
  let port: number;
  try {
    port = await listen(server, config.port);
  } catch (e) {
    await services.close();
    throw e;
  }
  // After a crash (kill -9) the control database is all there is: every execution it shows
  // unfinished is driven on from where its rows say it stands.
  const resumed = await runtime.resumeUnfinished();
  const scheduler = options.scheduler === false ? undefined : startLocalScheduler(services, { intervalMs: LOCAL_TICK_MS, ...options.scheduler });
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}/api`,
    services,
    runtime,
    server,
    resumed,
    async stop() {
      if (stopped) return;
      stopped = true;
      await scheduler?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await services.close();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, 'local');
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`elastic-jobs: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const host = await startLocalHost(config);
  process.stdout.write(`Elastic Jobs local host listening on ${host.url} (control database: ${host.services.control.description})\n`);
  if (host.resumed > 0) process.stdout.write(`Resumed ${host.resumed} unfinished job execution(s).\n`);
  const shutdown = (signal: string) => {
    process.stdout.write(`${signal} received, stopping.\n`);
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`elastic-jobs: could not start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
