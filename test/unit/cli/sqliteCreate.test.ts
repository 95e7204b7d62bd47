/**
 * `elastic-jobs sqlite create` writes files of the local host: its folder and databases get the
 * host's private modes (0700, 0600), since a first walkthrough step may be what makes the data
 * folder, and the SQL runs in each database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from './cliHarness';

describe('elastic-jobs sqlite create', () => {
  it('creates the folder 0700 and each database 0600 under the SQLite root, and runs the SQL there', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ej-sqlite-create-')), 'fresh');
    const { code, stderr } = await runCli('http://127.0.0.1:1', ['sqlite', 'create', '--data-dir', dataDir, '-s', 'tenants', '-d', 't1.db', '-d', 't2.db', '--sql', 'CREATE TABLE orders(id INTEGER)'], { env: {} });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const folder = path.join(dataDir, 'sqlite', 'tenants');
    for (const dir of [dataDir, path.join(dataDir, 'sqlite'), folder]) expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of ['t1.db', 't2.db']) {
      expect(fs.statSync(path.join(folder, name)).mode & 0o777).toBe(0o600);
      const db = new Database(path.join(folder, name), { readonly: true });
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['orders']);
      db.close();
    }
  });
});
