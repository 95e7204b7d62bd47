/**
 * Where a SQLite target lives: `serverName` is a folder under the configured root (relative
 * names resolve inside it), `databaseName` a file in that folder. Nothing outside the root is
 * ever opened, through `..`, an absolute path or a symbolic link: a target must not become a
 * way to read or write arbitrary files.
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

/** The absolute folder of `serverName`; it may not exist. */
export function resolveSqliteFolder(root: string, serverName: string): string {
  if (serverName.includes('\0')) throw outside(`folder '${serverName}'`);
  const rootPath = path.resolve(root);
  const folder = path.resolve(rootPath, serverName);
  if (!isInside(rootPath, folder)) throw outside(`folder '${serverName}'`);
  const realRoot = realOrNull(rootPath);
  const realFolder = realOrNull(folder);
  if (realRoot && realFolder && !isInside(realRoot, realFolder)) throw outside(`folder '${serverName}'`);
  return folder;
}

/** The absolute file of a database; it may not exist. */
export function resolveSqliteFile(root: string, serverName: string, databaseName: string): string {
  if (!databaseName || databaseName === '.' || databaseName === '..' || /[/\\:\0]/.test(databaseName)) {
    throw new PermanentTargetError(`SQLite database name '${databaseName}' must be a file name in the folder (no path separators).`);
  }
  const folder = resolveSqliteFolder(root, serverName);
  const file = path.join(folder, databaseName);
  const realRoot = realOrNull(path.resolve(root));
  const realFile = realOrNull(file);
  if (realRoot && realFile && !isInside(realRoot, realFile)) throw outside(`database '${serverName}/${databaseName}'`);
  return file;
}

export function isSqliteFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return SQLITE_FILE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}
