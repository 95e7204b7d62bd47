import { destinationColumns } from '../../../src/results/destinationColumns';
import { exactValue, sqlServerTemporalInput, sqlServerTemporalText } from '../../../src/results/exactValues';
import type { ColumnInfo } from '../../../src/targets/driver';
import type { Engine } from '../../../src/domain/schemas/common';

/** A Date as tedious builds one for a SQL Server value read as UTC: milliseconds, plus nanosecondsDelta for the digits past them. */
function tediousDate(iso: string, nanosecondsDelta?: number): Date {
  const date = new Date(iso);
  if (nanosecondsDelta !== undefined) Object.defineProperty(date, 'nanosecondsDelta', { enumerable: false, value: nanosecondsDelta });
  return date;
}

const column = (source: Engine, destination: Engine, info: Omit<ColumnInfo, 'name' | 'nullable'>) =>
  destinationColumns({ engine: source, columns: [{ name: 'c', nullable: true, ...info }], rows: [] }, destination)[0];

describe('SQL Server temporal values, as SQL Server prints them', () => {
  it.each([
    ['datetime2', 7, tediousDate('2027-10-31T02:30:00.000Z', 0.0000001), '2027-10-31 02:30:00.0000001'],
    ['datetime2', 7, tediousDate('2027-03-27T21:00:00.123Z', 0.0004567), '2027-03-27 21:00:00.1234567'],
    ['datetime2', 3, tediousDate('2027-03-27T21:00:00.123Z', 0), '2027-03-27 21:00:00.123'],
    ['datetime2', 0, tediousDate('2027-03-28T02:30:00.000Z', 0), '2027-03-28 02:30:00'],
    ['datetime', undefined, tediousDate('2027-03-27T10:00:00.003Z'), '2027-03-27 10:00:00.003'],
    ['smalldatetime', undefined, tediousDate('2027-03-27T10:00:00.000Z'), '2027-03-27 10:00:00'],
    ['date', undefined, tediousDate('2027-02-28T00:00:00.000Z'), '2027-02-28'],
    ['date', undefined, tediousDate('0001-01-01T00:00:00.000Z'), '0001-01-01'],
    ['time', 6, tediousDate('1970-01-01T10:00:00.123Z', 0.000456), '10:00:00.123456'],
    ['datetimeoffset', 7, tediousDate('2027-03-27T21:00:00.123Z', 0.0004567), '2027-03-27 21:00:00.1234567 +00:00'],
  ] as const)('%s(%s) %s -> %s', (type, scale, date, expected) => {
    expect(sqlServerTemporalText(date, type, scale)).toBe(expected);
  });
});

describe('dates and timestamps into SQL Server, in the form every SET LANGUAGE reads alike', () => {
  it.each([
    ['2027-03-27 21:00:00.123456+00', '2027-03-27T21:00:00.123456+00:00'],
    ['2027-03-27 21:00:00.123456+05:30', '2027-03-27T21:00:00.123456+05:30'],
    ['2027-03-27 21:00:00-03', '2027-03-27T21:00:00-03:00'],
    ['2027-10-31 02:30:00.000001', '2027-10-31T02:30:00.000001'],
    ['2027-03-27 21:00:00.1234567 +00:00', '2027-03-27T21:00:00.1234567+00:00'],
    ['2027-02-28', '2027-02-28'],
    ['infinity', 'infinity'],
  ])('%s -> %s', (text, expected) => expect(sqlServerTemporalInput(text)).toBe(expected));
});

describe('exactValue, per engine pair', () => {
  it('postgres -> sqlserver: a timestamptz in ISO form with a ±hh:mm offset; numeric and interval text untouched', () => {
    expect(exactValue('postgres', 'sqlserver', '2027-03-27 21:00:00.123456+00', column('postgres', 'sqlserver', { type: 'timestamptz' }))).toBe('2027-03-27T21:00:00.123456+00:00');
    expect(exactValue('postgres', 'sqlserver', '9999999999999999999999999999.9999999999', column('postgres', 'sqlserver', { type: 'numeric', precision: 38, scale: 10 }))).toBe(
      '9999999999999999999999999999.9999999999',
    );
    expect(exactValue('postgres', 'sqlserver', '1 day', column('postgres', 'sqlserver', { type: 'interval' }))).toBe('1 day');
  });

  it('postgres -> postgres and postgres -> sqlite: the source text as it is', () => {
    for (const destination of ['postgres', 'sqlite'] as const) {
      expect(exactValue('postgres', destination, '2027-03-27 21:00:00.123456+00', column('postgres', destination, { type: 'timestamptz' }))).toBe('2027-03-27 21:00:00.123456+00');
    }
  });

  it('sqlserver -> postgres and sqlite: a Date becomes the text SQL Server prints, never an instant in the host zone', () => {
    const value = tediousDate('2027-03-28T02:30:00.000Z', 0.0000001);
    expect(exactValue('sqlserver', 'postgres', value, column('sqlserver', 'postgres', { type: 'datetime2', scale: 7 }))).toBe('2027-03-28 02:30:00.0000001');
    expect(exactValue('sqlserver', 'sqlite', value, column('sqlserver', 'sqlite', { type: 'datetime2', scale: 7 }))).toBe('2027-03-28 02:30:00.0000001');
    expect(exactValue('sqlserver', 'sqlserver', value, column('sqlserver', 'sqlserver', { type: 'datetime2', scale: 7 }))).toBe('2027-03-28T02:30:00.0000001');
  });

  it('keeps null and values that are exact already', () => {
    const c = column('sqlite', 'postgres', { type: 'integer' });
    expect(exactValue('sqlite', 'postgres', null, c)).toBeNull();
    expect(exactValue('sqlite', 'postgres', 9223372036854775807n, c)).toBe(9223372036854775807n);
  });
});
