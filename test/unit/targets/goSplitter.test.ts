import { batchRuns, checkStatementCount, MAX_STATEMENTS_PER_ATTEMPT, splitGoBatches } from '../../../src/targets/goSplitter';
import { PermanentTargetError } from '../../../src/targets/errors';

const texts = (script: string) => splitGoBatches(script).map((b) => b.text.trim());

describe('splitGoBatches', () => {
  it.each([
    ['no GO at all', 'SELECT 1', ['SELECT 1']],
    ['GO alone on a line', 'SELECT 1\nGO\nSELECT 2', ['SELECT 1', 'SELECT 2']],
    ['lower-case go', 'SELECT 1\ngo\nSELECT 2', ['SELECT 1', 'SELECT 2']],
    ['mixed-case Go with blanks around it', 'SELECT 1\n   Go  \t\nSELECT 2', ['SELECT 1', 'SELECT 2']],
    ['GO followed by a -- comment', 'SELECT 1\nGO -- next batch\nSELECT 2', ['SELECT 1', 'SELECT 2']],
    ['GO at the end without a newline', 'SELECT 1\nGO', ['SELECT 1']],
    ['CRLF line ends', 'SELECT 1\r\nGO\r\nSELECT 2\r\n', ['SELECT 1', 'SELECT 2']],
    ['empty batches between GOs are skipped', 'GO\n\nGO\nSELECT 1\nGO\n   \nGO', ['SELECT 1']],
    ['a batch of only comments is skipped', 'SELECT 1\nGO\n-- nothing here\n/* nor here */\nGO\nSELECT 2', ['SELECT 1', 'SELECT 2']],
    ['GO inside a string is text', "SELECT 'a\nGO\nb'\nGO\nSELECT 2", ["SELECT 'a\nGO\nb'", 'SELECT 2']],
    ["a string with '' escapes", "SELECT 'it''s\nGO\nstill'\nGO", ["SELECT 'it''s\nGO\nstill'"]],
    ['GO inside a block comment is text', 'SELECT 1\n/*\nGO\n*/\nSELECT 2', ['SELECT 1\n/*\nGO\n*/\nSELECT 2']],
    ['nested block comments', 'SELECT 1 /* outer /* inner */\nGO\nstill outer */\nGO\nSELECT 2', ['SELECT 1 /* outer /* inner */\nGO\nstill outer */', 'SELECT 2']],
    ['GO after a -- comment on the same line is not a separator', 'SELECT 1 -- GO\nSELECT 2', ['SELECT 1 -- GO\nSELECT 2']],
    ['a /* inside a -- comment opens nothing', 'SELECT 1 -- /*\nGO\nSELECT 2', ['SELECT 1 -- /*', 'SELECT 2']],
    ['GO inside [brackets] is text', 'SELECT 1 AS [a\nGO\nb]\nGO', ['SELECT 1 AS [a\nGO\nb]']],
    ['a bracket identifier with ]] escape', 'SELECT 1 AS [a]]\nGO\n]\nGO\nSELECT 2', ['SELECT 1 AS [a]]\nGO\n]', 'SELECT 2']],
    ['GO inside "quoted identifiers" is text', 'SELECT 1 AS "x\nGO\ny"\nGO', ['SELECT 1 AS "x\nGO\ny"']],
    ['GO as part of a word or statement is not a separator', 'SELECT 1 AS GOAL\nGOTO label\nGO\nSELECT 2', ['SELECT 1 AS GOAL\nGOTO label', 'SELECT 2']],
    ['GO; is not a separator (sqlcmd refuses it too)', 'SELECT 1\nGO;\nSELECT 2', ['SELECT 1\nGO;\nSELECT 2']],
    ['a quote inside a comment does not open a string', "SELECT 1 -- it's\nGO\nSELECT 2", ["SELECT 1 -- it's", 'SELECT 2']],
  ])('%s', (_name, script, expected) => {
    expect(texts(script)).toEqual(expected);
  });

  it('repeats a batch with GO n and counts every run', () => {
    const batches = splitGoBatches('INSERT t VALUES (1)\nGO 3\nSELECT 1\ngo 2 -- twice');
    expect(batches.map((b) => [b.text, b.repeat])).toEqual([
      ['INSERT t VALUES (1)', 3],
      ['SELECT 1', 2],
    ]);
    expect(batchRuns(batches)).toBe(5);
  });

  it('records the line where each batch starts, for error messages', () => {
    const batches = splitGoBatches('SELECT 1\nGO\n\nSELECT 2\nSELECT 3\nGO\nSELECT 4');
    expect(batches.map((b) => b.line)).toEqual([1, 3, 7]);
  });

  it('refuses GO 0 with a permanent error naming the line', () => {
    expect(() => splitGoBatches('SELECT 1\nGO 0')).toThrow(PermanentTargetError);
    expect(() => splitGoBatches('SELECT 1\nGO 0')).toThrow('Line 2');
  });

  it('returns no batch for an empty script', () => {
    expect(splitGoBatches('')).toEqual([]);
    expect(splitGoBatches('\n  \nGO\n')).toEqual([]);
  });

  it('refuses the 840-byte script of 40 batches each repeated a million times, naming the limit, before anything runs', () => {
    const script = Array.from({ length: 40 }, () => 'SELECT 1;\nGO 1000000').join('\n');
    expect(Buffer.byteLength(script)).toBeGreaterThanOrEqual(839);
    const started = Date.now();
    expect(() => splitGoBatches(script)).toThrow(PermanentTargetError);
    expect(() => splitGoBatches(script)).toThrow(/between 1 and 10,000/);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('caps the sum of repeats per attempt, not only each GO count', () => {
    const fits = Array.from({ length: 2 }, () => 'SELECT 1\nGO 5000').join('\n');
    expect(batchRuns(splitGoBatches(fits))).toBe(MAX_STATEMENTS_PER_ATTEMPT);
    const over = `${fits}\nSELECT 2\nGO`;
    expect(() => splitGoBatches(over)).toThrow(/10,001 batches .*at most 10,000/);
  });

  it('checkStatementCount lets the limit through and refuses one more', () => {
    expect(() => checkStatementCount(MAX_STATEMENTS_PER_ATTEMPT)).not.toThrow();
    expect(() => checkStatementCount(MAX_STATEMENTS_PER_ATTEMPT + 1)).toThrow(PermanentTargetError);
  });
});
