/**
 * `elastic-jobs sqlite create -s SERVER -d DATABASE [--sql TEXT]`: a SQLite target database of
 * the local host on this machine, so a first walk through the product needs no `sqlite3`
 * command-line shell. A SQLite "server" is a folder under the host's SQLite root
 * (`SQLITE_TARGETS_ROOT`, else `<data dir>/sqlite`), its database a file in it: the same rule,
 * and the same refusal of paths leading out of the root, as the API's for targets.
 *
 * This is the one command that does not speak HTTP: it writes a file of the host it runs on.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { createPrivateFile, makePrivateFolder } from '../../privateFiles';
import { resolveSqliteFolder, sqliteLocationErrors } from '../../domain/sqliteTargetLocation';
import { UsageError } from '../errorText';
import { collect } from '../optionParsers';
import type { Runtime } from '../session';

interface CreateOptions {
  server: string;
  database: string[];
  sql?: string;
  dataDir?: string;
}

export function registerSqliteCommands(program: Command, runtime: Runtime): void {
  const sqlite = program.command('sqlite').description("SQLite target databases of a local host on this machine (files under its SQLite root)");

  sqlite
    .command('create')
    .description('create SQLite databases (or open existing ones) and run SQL in each, e.g. to give them their tables')
    .requiredOption('-s, --server <folder>', 'the "server": a folder under the SQLite root (created if needed)')
    .requiredOption('-d, --database <file>', 'a database: a file name in that folder (repeatable)', collect)
    .option('--sql <text>', 'SQL to run in each (several statements separated by ;)')
    .option('--data-dir <dir>', 'the local host\'s data folder (default: ELASTIC_JOBS_DATA_DIR, else .elastic-jobs); SQLITE_TARGETS_ROOT overrides the root')
    .action(async (opts: CreateOptions) => {
      const { io } = runtime;
      const env = { ...io.env };
      if (opts.dataDir !== undefined) env.ELASTIC_JOBS_DATA_DIR = opts.dataDir;
      const { ConfigError, loadConfig } = await import('../../config');
      let root: string;
      try {
        root = loadConfig(env, 'local').sqliteTargets.root;
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(e.message);
        throw e;
      }
      for (const database of opts.database) {
        const errors = sqliteLocationErrors(root, 'option', opts.server, database);
        if (errors.length) throw new UsageError(errors.map((e) => `${e.path.replace('option.serverName', '--server').replace('option.databaseName', '--database')} ${e.message}`).join('; '));
      }
      const folder = resolveSqliteFolder(root, opts.server);
      // The same private modes as the host's own files: a first `sqlite create` may be what makes the data folder.
      makePrivateFolder(folder);
      const { default: Database } = await import('better-sqlite3');
      for (const database of opts.database) {
        const file = path.join(folder, database);
        createPrivateFile(file);
        const db = new Database(file);
        try {
          if (opts.sql) db.exec(opts.sql);
        } catch (e) {
          throw new UsageError(`SQLite refused the SQL in ${opts.server}/${database}: ${(e as Error).message}`);
        } finally {
          db.close();
        }
        io.stdout.write(`SQLite database ${opts.server}/${database} ready (${file}).\n`);
      }
    });
}
