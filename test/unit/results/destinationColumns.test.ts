import { destinationColumnNames } from '../../../src/results/destinationColumns';
import type { ColumnInfo } from '../../../src/targets/driver';

const cols = (...names: string[]): ColumnInfo[] => names.map((name) => ({ name, type: 'int', nullable: true }));

describe('destinationColumnNames', () => {
  it('names unnamed columns by position', () => {
    expect(destinationColumnNames(cols('', 'b', ' '), 'sqlserver')).toEqual(['column_1', 'b', 'column_3']);
  });

  it('suffixes duplicates, without case where the engine ignores it', () => {
    expect(destinationColumnNames(cols('a', 'A', 'a'), 'sqlserver')).toEqual(['a', 'A_2', 'a_3']);
    expect(destinationColumnNames(cols('a', 'A', 'a'), 'postgres')).toEqual(['a', 'A', 'a_2']);
  });

  it('keeps the writer’s own column names for the writer', () => {
    expect(destinationColumnNames(cols('source_server', 'internal_execution_id'), 'postgres')).toEqual(['source_server_2', 'internal_execution_id_2']);
  });

  it('cuts names to 63 bytes on PostgreSQL, keeping suffixes', () => {
    const long = 'é'.repeat(40); // 80 bytes
    const [first, second] = destinationColumnNames(cols(long, long), 'postgres');
    expect(Buffer.byteLength(first)).toBeLessThanOrEqual(63);
    expect(Buffer.byteLength(second)).toBeLessThanOrEqual(63);
    expect(second.endsWith('_2')).toBe(true);
    expect(first).not.toBe(second);
  });
});
