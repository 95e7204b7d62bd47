/**
 * `npm start`: the whole product in one process, with no Azure at all. The same route table,
 * orchestrators and scheduler as in Azure; the control database is an embedded SQLite file
 * under ELASTIC_JOBS_DATA_DIR unless CONTROL_DB says otherwise.
 */
import type http from 'node:http';
import { ConfigError, loadConfig, type Config } from '../config';
import { startLocalNotificationSender, type LocalNotificationSenderOptions } from '../notifications/localNotificationSender';
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
  /** The in-process webhook sender (the notification outbox); `false` for none (a test that drives passes itself). */
  notifications?: LocalNotificationSenderOptions | false;
}

/** A stopping host exits within this, stopped or not (SIGTERM/SIGINT). */
const STOP_BOUND_MS = 10_000;
/** How often the host checks that the process that started it is still there. */
const PARENT_CHECK_MS = 500;

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
  const notifications = options.notifications === false ? undefined : startLocalNotificationSender(services, options.notifications);
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
      await notifications?.stop();
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
  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${why}, stopping: running statements are canceled and their attempts recorded; a restart retries them where the policy allows another attempt.\n`);
    // The bound: whatever has not stopped by then is left to the next start (it closes open attempts as interrupted).
    setTimeout(() => {
      process.stderr.write(`elastic-jobs: not stopped within ${STOP_BOUND_MS / 1000} s; exiting.\n`);
      process.exit(1);
    }, STOP_BOUND_MS).unref();
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT received'));
  process.on('SIGTERM', () => shutdown('SIGTERM received'));
  // `npm start` runs this under `sh -c`, and npm passes a SIGTERM to that shell only: the shell
  // dies and this process, reparented, would go on serving. A parent that goes away is a stop too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown(`The process that started this host (pid ${parent}) exited`);
  }, PARENT_CHECK_MS).unref();
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`elastic-jobs: could not start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
