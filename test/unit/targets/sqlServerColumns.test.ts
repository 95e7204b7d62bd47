import { sqlServerColumnInfo } from '../../../src/targets/sqlServerColumns';

const t = (declaration: string) => ({ declaration });

describe('sqlServerColumnInfo', () => {
  it.each([
    ['nvarchar(50): tedious reports bytes', { name: 'a', type: t('nvarchar'), length: 100, nullable: true }, { name: 'a', type: 'nvarchar', length: 50, nullable: true }],
    ['nvarchar(max)', { name: 'a', type: t('nvarchar'), length: 65535, nullable: true }, { name: 'a', type: 'nvarchar', length: -1, nullable: true }],
    ['varchar(20)', { name: 'a', type: t('varchar'), length: 20, nullable: false }, { name: 'a', type: 'varchar', length: 20, nullable: false }],
    ['varbinary(max)', { name: 'a', type: t('varbinary'), length: 65535, nullable: true }, { name: 'a', type: 'varbinary', length: -1, nullable: true }],
    ['decimal(18,4)', { name: 'a', type: t('decimal'), length: 17, precision: 18, scale: 4, nullable: true }, { name: 'a', type: 'decimal', precision: 18, scale: 4, nullable: true }],
    ['datetime2(3)', { name: 'a', type: t('datetime2'), length: 7, scale: 3, nullable: true }, { name: 'a', type: 'datetime2', scale: 3, nullable: true }],
    ['uniqueidentifier', { name: 'a', type: t('uniqueidentifier'), length: 16, nullable: false }, { name: 'a', type: 'uniqueidentifier', nullable: false }],
    ['an unnamed column', { name: '', type: t('int'), length: 4, nullable: true }, { name: '', type: 'int', nullable: true }],
    ['xml is always max', { name: 'x', type: t('xml'), nullable: true }, { name: 'x', type: 'xml', length: -1, nullable: true }],
    ['a UDT by its name', { name: 'g', type: null, udt: { name: 'geography' }, nullable: true }, { name: 'g', type: 'geography', nullable: true }],
  ])('%s', (_label, column, expected) => {
    expect(sqlServerColumnInfo(column)).toEqual(expected);
  });
});
