import { messageOf, withoutSecret } from '../../../src/targets/redaction';

describe('withoutSecret', () => {
  it('replaces every occurrence of the password', () => {
    expect(withoutSecret('pw=Hunter22 and again Hunter22', { password: 'Hunter22' })).toBe('pw=*** and again ***');
  });

  it('leaves messages alone without a password, or with one too short to tell from ordinary words', () => {
    expect(withoutSecret('Database data', { password: 'a' })).toBe('Database data');
    expect(withoutSecret('message', undefined)).toBe('message');
  });
});

describe('messageOf', () => {
  it('joins the errors of an AggregateError (pg reports every address it tried)', () => {
    expect(messageOf(new AggregateError([new Error('connect ECONNREFUSED ::1:1'), new Error('connect ECONNREFUSED 127.0.0.1:1')]))).toBe(
      'connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('puts a multi-line message on one line', () => {
    expect(messageOf(new Error('a\n  b'))).toBe('a b');
  });
});
