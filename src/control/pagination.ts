/**
 * Keyset pagination for every list route: the cursor is the opaque, base64url-encoded key of the
 * last row returned; a page fetches limit + 1 rows to know whether another page follows.
 */
import { ValidationError, type ElasticJobsError } from '../domain/errors';
import type { Page } from '../domain/schemas/common';

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, width: number): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== width || key.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
    throw invalidCursor();
  }
  return key;
}

function invalidCursor(): ElasticJobsError {
  return new ValidationError('The cursor is not one this API returned.', [{ path: 'query.cursor', message: 'is not valid' }]);
}

/** Turns limit + 1 fetched rows into a page. */
export function toPage<Row, Item>(rows: Row[], limit: number, keyOf: (row: Row) => unknown[], map: (row: Row) => Item): Page<Item> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return { items: shown.map(map), nextCursor: more ? encodeCursor(keyOf(shown[shown.length - 1])) : null };
}
