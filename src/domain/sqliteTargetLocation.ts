/**
 * Where a SQLite "server" (a folder) and "database" (a file in it) may be: only under the
 * configured root. A target or a result destination must never become a way to read or write
 * an arbitrary file of the host, so `..` escapes, absolute paths elsewhere and symbolic links
 * that lead out of the root are all refused. The target driver resolves the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FieldError } from './errors';

/** The folder a serverName stands for: relative names are relative to the root. */
export function resolveSqliteFolder(root: string, serverName: string): string {
  return path.isAbsolute(serverName) ? path.resolve(serverName) : path.resolve(root, serverName);
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The real path of the nearest existing ancestor (itself included), so a link anywhere on the way is followed. */
function realPathOfNearest(p: string): string {
  let current = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return p;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Field errors for a SQLite location, empty when it is inside the root. `where` is the field
 * prefix (`body` or `body.resultSetDestination`). The messages do not reveal the root's path.
 */
export function sqliteLocationErrors(root: string, where: string, serverName: string, databaseName?: string): FieldError[] {
  const errors: FieldError[] = [];
  const folder = resolveSqliteFolder(root, serverName);
  const realRoot = realPathOfNearest(path.resolve(root));
  if (!isInside(path.resolve(root), folder) || !isInside(realRoot, realPathOfNearest(folder))) {
    errors.push({ path: `${where}.serverName`, message: 'must be a folder inside the SQLite targets root (no .. escapes, no absolute path or link leading elsewhere)' });
    return errors;
  }
  if (databaseName !== undefined) {
    if (/[\\/]/.test(databaseName) || databaseName === '.' || databaseName === '..') {
      errors.push({ path: `${where}.databaseName`, message: 'must be a file name in the folder (no path separators, not . or ..)' });
    } else if (!isInside(realRoot, realPathOfNearest(path.join(folder, databaseName)))) {
      errors.push({ path: `${where}.databaseName`, message: 'must not be a link leading out of the SQLite targets root' });
    }
  }
  return errors;
}
