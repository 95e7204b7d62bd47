import { ValidationError } from '../../../src/domain/errors';
import { decodeCursor, encodeCursor, toPage } from '../../../src/control/pagination';

describe('keyset pagination', () => {
  it('returns a cursor of the last shown row only when more rows follow', () => {
    const page = toPage([{ n: 'a' }, { n: 'b' }, { n: 'c' }], 2, (r) => [r.n], (r) => r.n);
    expect(page.items).toEqual(['a', 'b']);
    expect(decodeCursor(page.nextCursor!, 1)).toEqual(['b']);
    expect(toPage([{ n: 'a' }], 2, (r) => [r.n], (r) => r.n).nextCursor).toBeNull();
  });

  it.each(['not base64 json', encodeCursor(['a', 'b']), Buffer.from('{"x":1}').toString('base64url')])('refuses a foreign cursor %j with 400', (cursor) => {
    expect(() => decodeCursor(cursor, 1)).toThrow(ValidationError);
  });
});
