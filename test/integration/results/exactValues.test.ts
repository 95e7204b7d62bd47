/**
 * Result values round-trip exactly, PostgreSQL -> PostgreSQL and PostgreSQL -> SQLite, from a
 * host in UTC and one in Europe/Berlin: microseconds and offsets of timestamps, a zone-less
 * 10:00 and the spring-forward 02:30 (a local time Berlin skips), a date, an interval, numeric
 * extremes and bigint extremes. The writer runs in a child process with TZ set; the test
 * checks the zone took effect there before it believes the values.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { createTestDatabase, pgServerName, pgUrl } from '../../support/postgres';

const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Column, SQL expression: each value named in issue 11, and their company. */
const VALUES: [string, string][] = [
  ['tstz', "timestamptz '2027-03-27 21:00:00.123456+00'"],
  ['ts_micro', "timestamp '2027-10-31 02:30:00.000001'"],
  ['ts_ten', "timestamp '2027-03-27 10:00:00'"],
  ['ts_spring', "timestamp '2027-03-28 02:30:00'"],
  ['d', "date '2027-02-28'"],
  ['t', "time '10:00:00.123456'"],
  ['iv', "interval '1 day'"],
  ['iv_mixed', "interval '1 year 2 mons 3 days 04:05:06.789012'"],
  ['num_max', "'9999999999999999999999999999.9999999999'::numeric(38,10)"],
  ['num_min', "'-9999999999999999999999999999.9999999999'::numeric(38,10)"],
  ['num_tiny', "'0.0000000001'::numeric(38,10)"],
  ['big_max', '9223372036854775807::bigint'],
  ['big_min', '(-9223372036854775808)::bigint'],
  ['ts_array', "ARRAY[timestamp '2027-03-28 02:30:00.000001', timestamp '2027-10-31 02:30:00']"],
];
const SCRIPT = `SELECT ${VALUES.map(([name, expression]) => `${expression} AS ${name}`).join(', ')}`;

let source: Awaited<ReturnType<typeof createTestDatabase>>;
let destination: Awaited<ReturnType<typeof createTestDatabase>>;
let sourceText: Record<string, string>;

async function query(database: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: pgUrl(database) });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

function runHost(tz: string, job: object): Promise<{ zone: { tz: string; resolved: string; offsetMinutes: number } }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'exactValuesHost.ts'), JSON.stringify(job)], {
      cwd: REPO_ROOT,
      env: { ...process.env, TZ: tz },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`writer host exited ${code}: ${err}`))));
  });
}

beforeAll(async () => {
  source = await createTestDatabase('exsrc');
  destination = await createTestDatabase('exdst');
  // What the source itself prints for each value: the form every destination must keep.
  const [row] = await query(source.name, `SELECT ${VALUES.map(([name, expression]) => `(${expression})::text AS ${name}`).join(', ')}`);
  sourceText = row as Record<string, string>;
}, 60_000);
afterAll(async () => {
  await source?.drop();
  await destination?.drop();
});

describe.each([
  ['UTC', 0],
  ['Europe/Berlin', 120],
])('exact result values from a host in %s', (tz, offsetMinutes) => {
  const table = `exact_${tz.replace(/\W/g, '_').toLowerCase()}`;
  let sqliteRoot: string;
  let host: Awaited<ReturnType<typeof runHost>>;

  beforeAll(async () => {
    sqliteRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-exact-'));
    fs.mkdirSync(path.join(sqliteRoot, 'results'));
    host = await runHost(tz, { serverName: pgServerName(), source: source.name, destination: destination.name, sqliteRoot, table, script: SCRIPT });
  }, 60_000);
  afterAll(() => fs.rmSync(sqliteRoot, { recursive: true, force: true }));

  it(`the writer really ran in ${tz}`, () => {
    expect(host.zone).toEqual({ tz, resolved: tz, offsetMinutes });
  });

  it('PostgreSQL -> PostgreSQL: every value reads back as the source printed it', async () => {
    const [row] = await query(destination.name, `SELECT ${VALUES.map(([name]) => `${name}::text AS ${name}`).join(', ')} FROM exact.${table}`);
    expect(row).toEqual(sourceText);
    // The issue's own figures, spelled out.
    expect(row).toMatchObject({
      ts_micro: '2027-10-31 02:30:00.000001',
      ts_ten: '2027-03-27 10:00:00',
      ts_spring: '2027-03-28 02:30:00',
      d: '2027-02-28',
      iv: '1 day',
      num_max: '9999999999999999999999999999.9999999999',
      big_max: '9223372036854775807',
    });
    const [instant] = await query(destination.name, `SELECT tstz = timestamptz '2027-03-27 21:00:00.123456+00' AS same FROM exact.${table}`);
    expect(instant.same).toBe(true);
  });

  it('PostgreSQL -> SQLite: each value is stored in the source\'s own text form, integers as integers', () => {
    const db = new Database(path.join(sqliteRoot, 'results', 'results.db'), { readonly: true });
    try {
      const statement = db.prepare(`SELECT ${VALUES.map(([name]) => `typeof("${name}") AS "${name}_type", "${name}"`).join(', ')} FROM "${table}"`);
      statement.safeIntegers(true);
      const row = statement.get() as Record<string, unknown>;
      for (const [name] of VALUES) {
        if (name.startsWith('big_')) {
          expect([name, row[`${name}_type`], String(row[name])]).toEqual([name, 'integer', sourceText[name]]);
        } else if (name === 'ts_array') {
          expect([name, row[`${name}_type`], row[name]]).toEqual([name, 'text', JSON.stringify(['2027-03-28 02:30:00.000001', '2027-10-31 02:30:00'])]);
        } else {
          expect([name, row[`${name}_type`], row[name]]).toEqual([name, 'text', sourceText[name]]);
        }
      }
      expect(row.tstz).toMatch(/^2027-03-2[78] \d\d:00:00\.123456[+-]\d\d/);
    } finally {
      db.close();
    }
  });
});
