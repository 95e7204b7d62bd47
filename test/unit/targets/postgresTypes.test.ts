import { decodeTypeModifier, postgresColumnInfo } from '../../../src/targets/postgresTypes';

describe('postgres column metadata', () => {
  it.each([
    ['varchar(10)', 1043, 14, { name: 'c', type: 'varchar', length: 10, nullable: true }],
    ['varchar', 1043, -1, { name: 'c', type: 'varchar', nullable: true }],
    ['char(4)', 1042, 8, { name: 'c', type: 'bpchar', length: 4, nullable: true }],
    ['numeric(10,2)', 1700, ((10 << 16) | 2) + 4, { name: 'c', type: 'numeric', precision: 10, scale: 2, nullable: true }],
    ['numeric', 1700, -1, { name: 'c', type: 'numeric', nullable: true }],
    ['timestamp(3)', 1114, 3, { name: 'c', type: 'timestamp', precision: 3, nullable: true }],
    ['timestamptz', 1184, -1, { name: 'c', type: 'timestamptz', nullable: true }],
    ['int8', 20, -1, { name: 'c', type: 'int8', nullable: true }],
    ['uuid', 2950, -1, { name: 'c', type: 'uuid', nullable: true }],
    ['jsonb', 3802, -1, { name: 'c', type: 'jsonb', nullable: true }],
    ['bytea', 17, -1, { name: 'c', type: 'bytea', nullable: true }],
    ['an unknown OID', 99999, -1, { name: 'c', type: 'unknown', nullable: true }],
  ])('%s', (_label, dataTypeID, dataTypeModifier, expected) => {
    expect(postgresColumnInfo({ name: 'c', dataTypeID, dataTypeModifier })).toEqual(expected);
  });

  it('takes a looked-up name for a type outside the table', () => {
    expect(postgresColumnInfo({ name: 'm', dataTypeID: 16385, dataTypeModifier: -1 }, 'mood').type).toBe('mood');
  });

  it('decodes a negative numeric scale (PostgreSQL 15)', () => {
    const typmod = ((5 << 16) | (0x800 - 2)) + 4; // numeric(5,-2)
    expect(decodeTypeModifier('numeric', typmod)).toEqual({ precision: 5, scale: -2 });
  });
});
