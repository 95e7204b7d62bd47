import { splitSqliteStatements } from '../../../src/targets/sqliteStatements';

const texts = (script: string) => splitSqliteStatements(script).map((p) => p.text.trim());

describe('splitSqliteStatements', () => {
  it.each([
    ['two statements', 'SELECT 1; SELECT 2;', ['SELECT 1;', 'SELECT 2;']],
    ['a last statement without a semicolon', 'SELECT 1; SELECT 2', ['SELECT 1;', 'SELECT 2']],
    ['a semicolon in a string', "SELECT 'a;b'; SELECT 2", ["SELECT 'a;b';", 'SELECT 2']],
    ["a string with '' escapes", "SELECT 'it''s; fine'; SELECT 2", ["SELECT 'it''s; fine';", 'SELECT 2']],
    ['a semicolon in a "quoted" identifier', 'SELECT 1 AS "a;b"; SELECT 2', ['SELECT 1 AS "a;b";', 'SELECT 2']],
    ['a semicolon in a `backtick` identifier', 'SELECT 1 AS `a;b`; SELECT 2', ['SELECT 1 AS `a;b`;', 'SELECT 2']],
    ['a semicolon in a [bracket] identifier', 'SELECT 1 AS [a;b]; SELECT 2', ['SELECT 1 AS [a;b];', 'SELECT 2']],
    ['a semicolon in a -- comment', 'SELECT 1 -- one; two\n; SELECT 2', ['SELECT 1 -- one; two\n;', 'SELECT 2']],
    ['a semicolon in a block comment', 'SELECT /* a; b */ 1; SELECT 2', ['SELECT /* a; b */ 1;', 'SELECT 2']],
    ['empty statements and comment-only pieces are dropped', ';;  -- only a comment\n; /* and this */ ; SELECT 1;', ['SELECT 1;']],
    ['a trigger body is cut (the runner glues it back)', 'CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; SELECT 2; END;', ['CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;', 'SELECT 2;', 'END;']],
  ])('%s', (_name, script, expected) => {
    expect(texts(script)).toEqual(expected);
  });

  it('keeps the text exactly, so the pieces put together give the script back', () => {
    const script = "SELECT 1;\n-- c\nSELECT 'x;y';";
    expect(splitSqliteStatements(script).map((p) => p.text).join('')).toBe(script);
  });

  it('records the line of the first code of each piece', () => {
    expect(splitSqliteStatements("SELECT 1;\n\n-- note\nSELECT 'a\nb';\nSELECT 3;").map((p) => p.line)).toEqual([1, 4, 6]);
  });
});
