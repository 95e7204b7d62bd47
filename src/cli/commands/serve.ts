/**
 * `elastic-jobs serve`: the local host in this process (the same as `npm start`), so one
 * installed command gives a laptop the whole product. Its settings are the host's own
 * environment variables; the options here only override the common ones.
 */
import type { Command } from 'commander';
import { UsageError } from '../errorText';
import { integer } from '../optionParsers';
import type { Runtime } from '../session';

export function registerServeCommand(program: Command, runtime: Runtime): void {
  program
    .command('serve')
    .description('run the local host here: the API on 127.0.0.1, the scheduler and the engine, until Ctrl-C')
    .option('-p, --port <port>', 'port to listen on (default: PORT, else 7071)', integer)
    .option('--data-dir <dir>', 'folder for the control database, the local key and sqlite targets (default: ELASTIC_JOBS_DATA_DIR, else .elastic-jobs)')
    .option('--control-db <url>', 'control database: sqlite:<file>, postgres://... or mssql://... (default: CONTROL_DB, else sqlite in --data-dir)')
    .addHelpText('after', '\nEvery other setting comes from the environment (ELASTIC_JOBS_API_KEY, SQLITE_TARGETS_ROOT, LOG_LEVEL, ...): see the README.')
    .action(async (opts: { port?: number; dataDir?: string; controlDb?: string }) => {
      const { io } = runtime;
      const env = { ...io.env };
      if (opts.port !== undefined) env.PORT = String(opts.port);
      if (opts.dataDir !== undefined) env.ELASTIC_JOBS_DATA_DIR = opts.dataDir;
      if (opts.controlDb !== undefined) env.CONTROL_DB = opts.controlDb;
      // Loaded only here: every other command stays a thin HTTP client that starts fast.
      const { ConfigError, loadConfig } = await import('../../config');
      const { startLocalHost } = await import('../../local/main');
      let config;
      try {
        config = loadConfig(env, 'local');
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(e.message);
        throw e;
      }
      if (config.controlDb.startsWith('postgres')) {
        const { ControlDatabaseMissingError, createMissingPostgresDatabase } = await import('../../control/createMissingDatabase');
        try {
          if (await createMissingPostgresDatabase(config.controlDb)) io.stdout.write(`Created the control database ${new URL(config.controlDb).pathname.slice(1)}.\n`);
        } catch (e) {
          if (e instanceof ControlDatabaseMissingError) throw new UsageError(e.message);
          throw e;
        }
      }
      const host = await startLocalHost(config);
      io.stdout.write(`Elastic Jobs local host listening on ${host.url} (control database: ${host.services.control.description}); Ctrl-C stops it.\n`);
      await new Promise<void>((resolve) => {
        const release = io.onInterrupt(() => {
          process.off('SIGTERM', onTerm);
          resolve();
        });
        const onTerm = () => {
          release();
          resolve();
        };
        process.once('SIGTERM', onTerm);
      });
      io.stdout.write('Stopping.\n');
      await host.stop();
    });
}
