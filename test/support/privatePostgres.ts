/**
 * A PostgreSQL server of the test's own: initdb in a temporary folder, started on a free port,
 * holding exactly the databases the test creates. A `server` target enumerates every user
 * database of its server; on the machine's shared server that would be every other test's
 * (and the benchmark's) databases too.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './ports';

const run = promisify(execFile);

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error('PostgreSQL server binaries were not found under /usr/lib/postgresql');
  return path.join(root, versions[0], 'bin');
}

/** initdb and postgres refuse to run as root: run them as the postgres user then. */
async function asServerUser(file: string, args: string[]): Promise<void> {
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', file, ...args]);
  else await run(file, args);
}

export interface PrivatePostgres {
  /** `127.0.0.1:<port>`, a postgres target's serverName. */
  serverName: string;
  url(database: string): string;
  createDatabase(name: string, setupSql?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) await run('chown', ['-R', 'postgres:postgres', dir]);
  await asServerUser(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  await asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const query = async (database: string, text: string) => {
    const client = new Client({ connectionString: url(database) });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  return {
    serverName: `127.0.0.1:${port}`,
    url,
    async createDatabase(name, setupSql) {
      await query('postgres', `CREATE DATABASE "${name}"`);
      if (setupSql) await query(name, setupSql);
    },
    async stop() {
      await asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
