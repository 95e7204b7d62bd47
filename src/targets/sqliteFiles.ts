/**
 * Where a SQLite target lives: `serverName` is a folder under the configured root (relative
 * names resolve inside it), `databaseName` a file in that folder. Nothing outside the root is
 * ever opened, through `..`, an absolute path or a symbolic link: a target must not become a
 * way to read or write arbitrary files. Links are judged with lstat, component by component
 * from the root down: a link is followed only when it resolves to a place inside the root; a
 * dangling link (whose target does not exist yet, so realpath fails) is refused, since opening
 * it would create its target wherever it points. SQLite's own side files (`-journal`, `-wal`,
 * `-shm`), which it creates next to the database, are judged the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PermanentTargetError } from './errors';

export const SQLITE_FILE_EXTENSIONS = ['.db', '.sqlite', '.sqlite3'] as const;

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
}

function realOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

const outside = (what: string) => new PermanentTargetError(`SQLite ${what} is outside the SQLite targets root, and cannot be used.`);

/** The files SQLite may create beside a database. */
export const SQLITE_SIDE_FILE_SUFFIXES = ['-journal', '-wal', '-shm'] as const;

/**
 * Throws `outside(what)` when a symbolic link on the way from `rootPath` to `target` (target
 * included) dangles or resolves outside the real root. Components that do not exist end the
 * walk: there is nothing to follow there.
 */
function checkLinks(rootPath: string, target: string, what: string): void {
  const realRoot = realOrNull(rootPath);
  if (!realRoot) return; // no root yet: nothing under it exists to be followed
  let current = rootPath;
  for (const part of path.relative(rootPath, target).split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    const stat = fs.lstatSync(current, { throwIfNoEntry: false });
    if (!stat) return;
    if (!stat.isSymbolicLink()) continue;
    const real = realOrNull(current);
    if (!real || !isInside(realRoot, real)) throw outside(what);
  }
}

/** The absolute folder of `serverName`; it may not exist. */
export function resolveSqliteFolder(root: string, serverName: string): string {
  if (serverName.includes('\0')) throw outside(`folder '${serverName}'`);
  const rootPath = path.resolve(root);
  const folder = path.resolve(rootPath, serverName);
  if (!isInside(rootPath, folder)) throw outside(`folder '${serverName}'`);
  checkLinks(rootPath, folder, `folder '${serverName}'`);
  return folder;
}

/** The absolute file of a database; it may not exist. */
export function resolveSqliteFile(root: string, serverName: string, databaseName: string): string {
  if (!databaseName || databaseName === '.' || databaseName === '..' || /[/\\:\0]/.test(databaseName)) {
    throw new PermanentTargetError(`SQLite database name '${databaseName}' must be a file name in the folder (no path separators).`);
  }
  const folder = resolveSqliteFolder(root, serverName);
  const file = path.join(folder, databaseName);
  const what = `database '${serverName}/${databaseName}'`;
  for (const candidate of [file, ...SQLITE_SIDE_FILE_SUFFIXES.map((suffix) => file + suffix)]) checkLinks(path.resolve(root), candidate, what);
  return file;
}

/**
 * Creates `file` empty (mode 0600) when it does not exist, without following a link: O_EXCL
 * fails on any existing name, a dangling link included, and O_NOFOLLOW refuses a link in its
 * place. SQLite then opens a file that is already there. Returns whether it created the file.
 */
export function createSqliteFileNoFollow(file: string): boolean {
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY | (fs.constants.O_NOFOLLOW ?? 0), 0o600));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export function isSqliteFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return SQLITE_FILE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}
