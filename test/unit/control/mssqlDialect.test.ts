/**
 * SQL Server cannot run here: assert the T-SQL the mssql dialect compiles for the migrations and
 * for a store's trickier queries, the way kysely's own tests check dialects they cannot run.
 */
import type { Kysely } from 'kysely';
import fs from 'node:fs';
import path from 'node:path';
import { firstRows } from '../../../src/control/firstRows';
import { mssqlTediousConfig, parseMssqlUrl } from '../../../src/control/connection';
import { migrations } from '../../../src/control/migrate';
import { coldMssql } from '../../support/coldMssql';


describe('control database on SQL Server (compiled, not run)', () => {
  it('creates every table with Unicode names, nvarchar(max) text and no text/varchar(max) types', async () => {
    const { db, queries, sql } = coldMssql();
    for (const migration of Object.values(migrations('mssql'))) await migration.up(db as unknown as Kysely<unknown>);
    const ddl = sql().join('\n');
    expect(ddl).toContain('create table "credentials" ("name" nvarchar(128) primary key, "username" nvarchar(128) not null');
    expect(ddl).toContain('"password_secret" nvarchar(max)');
    expect(ddl).toContain('"command_text" nvarchar(max)');
    expect(ddl).toContain('"retry_interval_backoff_coefficient" float not null');
    expect(ddl).not.toMatch(/\btext\b/);
    // SQL Server treats NULLs as equal in a unique index: the child index must be filtered.
    expect(ddl).toContain('create unique index "job_executions_child" on "job_executions" ("parent_id", "target_engine", "target_server", "target_database") where "parent_id" is not null');
    expect(ddl).toContain('create unique index "task_executions_attempt" on "task_executions" ("job_execution_id", "attempt")');
    expect(queries().find((q) => q.sql.startsWith('insert into "execution_policies"'))?.parameters).toContain('P7D');
    // Migration 0010: existing jobs stay enabled (NOT NULL with a default fills them), and the outbox keys one row per execution and channel.
    expect(ddl).toContain('alter table "jobs" add "enabled" integer default 1 not null');
    expect(ddl).toContain('"body" nvarchar(max) not null');
    expect(ddl).toContain('constraint "execution_notifications_pk" primary key ("execution_id", "channel")');
  });

  it('takes the first rows with TOP, since Kysely compiles limit() to LIMIT even here', () => {
    const { db } = coldMssql();
    const q = db.selectFrom('credentials').selectAll().where('name', '>', 'b').orderBy('name').$call(firstRows('mssql', 101)).compile();
    expect(q.sql).toBe('select top(101) * from "credentials" where "name" > @1 order by "name"');
  });

  it('has no store that pages with limit() (LIMIT is not T-SQL)', () => {
    const stores = path.join(__dirname, '../../../src/control/stores');
    // The stores and their query modules (stores/executions/, stores/tasks/).
    const files = (fs.readdirSync(stores, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files).toEqual(expect.arrayContaining([path.join('executions', 'readModel.ts')]));
    const offenders = files.filter((f) => /\.limit\(/.test(fs.readFileSync(path.join(stores, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('CONTROL_DB for SQL Server', () => {
  it('uses Entra (azure-active-directory-default) when no user is given', () => {
    const config = mssqlTediousConfig(parseMssqlUrl('mssql://ej-sql.database.windows.net/elasticjobs'));
    expect(config.authentication.type).toBe('azure-active-directory-default');
    expect(config.options).toMatchObject({ database: 'elasticjobs', port: 1433, encrypt: true, trustServerCertificate: false });
  });

  it('uses SQL authentication and a port when given, and the flags for local servers', () => {
    const config = mssqlTediousConfig(parseMssqlUrl('mssql://sa:p%40ss@localhost:14330/control?encrypt=false&trustServerCertificate=true'));
    expect(config.authentication).toEqual({ type: 'default', options: { userName: 'sa', password: 'p@ss' } });
    expect(config.options).toMatchObject({ port: 14330, encrypt: false, trustServerCertificate: true });
  });

  it('refuses a URL without a database', () => {
    expect(() => parseMssqlUrl('mssql://server')).toThrow('mssql://server[:port]/database');
  });
});
