import path from 'node:path';
import { isSqliteFileName, resolveSqliteFile, resolveSqliteFolder } from '../../../src/targets/sqliteFiles';
import { PermanentTargetError } from '../../../src/targets/errors';

const root = path.resolve('/srv/elastic-jobs/sqlite');

describe('resolveSqliteFolder', () => {
  it.each([
    ['tenants', path.join(root, 'tenants')],
    ['.', root],
    ['a/b', path.join(root, 'a', 'b')],
    [path.join(root, 'tenants'), path.join(root, 'tenants')],
    ['..foo', path.join(root, '..foo')],
  ])('resolves %s inside the root', (serverName, expected) => {
    expect(resolveSqliteFolder(root, serverName)).toBe(expected);
  });

  it.each(['..', '../other', 'a/../../other', '/etc', path.dirname(root), 'a\0b'])('refuses %s', (serverName) => {
    expect(() => resolveSqliteFolder(root, serverName)).toThrow(PermanentTargetError);
    expect(() => resolveSqliteFolder(root, serverName)).toThrow('outside the SQLite targets root');
  });
});

describe('resolveSqliteFile', () => {
  it('joins a plain file name to the folder', () => {
    expect(resolveSqliteFile(root, 'tenants', 'a.db')).toBe(path.join(root, 'tenants', 'a.db'));
  });

  it.each(['', '.', '..', 'x/a.db', 'x\\a.db', 'C:a.db', 'a\0.db'])('refuses the database name %j', (databaseName) => {
    expect(() => resolveSqliteFile(root, 'tenants', databaseName)).toThrow(PermanentTargetError);
  });
});

describe('isSqliteFileName', () => {
  it.each([
    ['a.db', true],
    ['a.sqlite', true],
    ['a.SQLITE3', true],
    ['a.db-journal', false],
    ['a.db-wal', false],
    ['notes.txt', false],
  ])('%s -> %s', (name, expected) => {
    expect(isSqliteFileName(name)).toBe(expected);
  });
});
