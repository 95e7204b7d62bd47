import { fieldErrors } from '../../../src/api/validation';
import { CreateSchedule } from '../../../src/domain/schemas/schedule';
import { CreateTarget } from '../../../src/domain/schemas/target';

const errorsOf = (schema: { safeParse(v: unknown): { error?: unknown } }, value: unknown) =>
  fieldErrors('body', schema.safeParse(value).error as Parameters<typeof fieldErrors>[1]);

describe('field errors of a union', () => {
  it('names the field that is wrong in the shape the request was going for', () => {
    expect(errorsOf(CreateSchedule, { name: 'bad', interval: { unit: 'fortnight', count: 1 } })).toEqual([
      { path: 'body.interval.unit', message: expect.stringContaining('minute') },
    ]);
    expect(errorsOf(CreateSchedule, { name: 'late', oneTime: true, startTime: 'tomorrow' })).toEqual([{ path: 'body.startTime', message: 'must be an ISO 8601 timestamp' }]);
  });

  it('still reports unknown fields and the fields of a discriminated union', () => {
    expect(errorsOf(CreateSchedule, { name: 'x', interval: { unit: 'day', count: 1 }, colour: 'red' }).map((e) => e.path)).toEqual(['body.colour']);
    expect(errorsOf(CreateTarget, { type: 'database', serverName: 's' }).map((e) => e.path)).toEqual(['body.databaseName']);
  });
});

describe('a missing field', () => {
  it('is "required", with the kind of value it takes, not zod\'s "received undefined"', () => {
    expect(errorsOf(CreateTarget, { type: 'database', serverName: 's' })).toEqual([{ path: 'body.databaseName', message: 'is required (string)' }]);
  });
});
