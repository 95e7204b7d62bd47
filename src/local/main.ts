/**
 * `npm start`: the whole product in one process, with no Azure at all. The same route table,
 * orchestrators and scheduler as in Azure; the control database is an embedded SQLite file
 * under ELASTIC_JOBS_DATA_DIR unless CONTROL_DB says otherwise.
 */
import type http from 'node:http';
import { ConfigError, loadConfig, type Config } from '../config';
import { createServices, type Services } from '../services';
import { createLocalServer, listen } from './server';

export interface LocalHost {
  url: string;
  services: Services;
  server: http.Server;
  stop(): Promise<void>;
}

export async function startLocalHost(config: Config): Promise<LocalHost> {
  const services = await createServices(config);
  const server = createLocalServer(services);
  const port = await listen(server, config.port);
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}/api`,
    services,
    server,
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
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
