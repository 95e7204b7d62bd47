/** The index on internal_execution_id, named after its table and cut to the engine's limit without losing uniqueness. */
import crypto from 'node:crypto';

export function indexName(tableName: string, maxBytes: number): string {
  const name = `ix_${tableName}_internal_execution_id`;
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  return `ix_${crypto.createHash('sha256').update(tableName).digest('hex').slice(0, 16)}_internal_execution_id`;
}
