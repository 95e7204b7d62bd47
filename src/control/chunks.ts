/**
 * Splitting long lists for SQL: `IN (...)` lists and multi-row inserts stay far under SQL
 * Server's 2100 parameters per statement (the tightest of the three dialects).
 */
export const IN_LIST_CHUNK = 500;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
