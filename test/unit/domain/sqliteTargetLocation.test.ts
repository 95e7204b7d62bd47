import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveSqliteFolder, sqliteLocationErrors } from '../../../src/domain/sqliteTargetLocation';

describe('sqliteLocationErrors', () => {
  let base: string;
  let root: string;
  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'ej-sqlite-root-'));
    root = path.join(base, 'root');
    fs.mkdirSync(path.join(root, 'tenants'), { recursive: true });
    fs.mkdirSync(path.join(base, 'outside'));
    fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'link-out'));
    fs.writeFileSync(path.join(base, 'outside', 'secret.db'), '');
    fs.symlinkSync(path.join(base, 'outside', 'secret.db'), path.join(root, 'tenants', 'linked.db'));
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it.each([
    ['a relative folder', 'tenants', 'a.db'],
    ['the root itself', '.', 'a.db'],
    ['a folder that does not exist yet', 'new/nested', 'a.db'],
    ['.. that stays inside', 'tenants/../tenants', 'a.db'],
  ])('accepts %s', (_label, serverName, databaseName) => {
    expect(sqliteLocationErrors(root, 'body', serverName, databaseName)).toEqual([]);
  });

  it('accepts an absolute path inside the root', () => {
    expect(sqliteLocationErrors(root, 'body', path.join(root, 'tenants'), 'a.db')).toEqual([]);
  });

  it.each([
    ['a .. escape', '../x'],
    ['a deeper .. escape', 'tenants/../../outside'],
    ['an absolute path elsewhere', '/etc'],
    ['a sibling that shares the prefix', '../root-other'],
    ['a link leading out', 'link-out'],
  ])('refuses %s as serverName', (_label, serverName) => {
    expect(sqliteLocationErrors(root, 'body', serverName, 'a.db').map((e) => e.path)).toEqual(['body.serverName']);
  });

  it.each([['x/y.db'], ['x\\y.db'], ['..'], ['.'], ['linked.db']])('refuses %s as databaseName', (databaseName) => {
    expect(sqliteLocationErrors(root, 'body.resultSetDestination', 'tenants', databaseName).map((e) => e.path)).toEqual(['body.resultSetDestination.databaseName']);
  });

  it('never reveals the root in its messages', () => {
    for (const e of sqliteLocationErrors(root, 'body', '/etc', 'a.db')) expect(e.message).not.toContain(root);
  });

  it('resolves a relative folder under the root and an absolute one as given', () => {
    expect(resolveSqliteFolder('/data/root', 'a/b')).toBe(path.resolve('/data/root/a/b'));
    expect(resolveSqliteFolder('/data/root', '/data/root/a')).toBe(path.resolve('/data/root/a'));
  });
});
