/**
 * Cuts a SQLite script at every `;` that is code (not inside '', "", ``, [] or a comment), so
 * statements can be prepared one at a time and the first result set captured with its columns.
 * A trigger body (`BEGIN ...; ...; END;`) is cut too: the runner glues pieces back together for
 * as long as SQLite answers "incomplete input", which is how the sqlite3 shell finds the end of
 * a statement.
 */

export interface StatementPiece {
  text: string;
  /** 1-based line of the script where the piece starts. */
  line: number;
}

export function splitSqliteStatements(script: string): StatementPiece[] {
  const pieces: StatementPiece[] = [];
  let start = 0;
  let hasCode = false;
  let line = 1;
  let codeLine = 1;
  const code = () => {
    if (!hasCode) codeLine = line;
    hasCode = true;
  };
  const cut = (end: number) => {
    if (hasCode) pieces.push({ text: script.slice(start, end), line: codeLine });
    start = end;
    hasCode = false;
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (ch === '\n') {
      line++;
      continue;
    }
    if (ch === '-' && script[i + 1] === '-') {
      const end = script.indexOf('\n', i);
      i = (end < 0 ? script.length : end) - 1;
      continue;
    }
    if (ch === '/' && script[i + 1] === '*') {
      const end = script.indexOf('*/', i + 2);
      const stop = end < 0 ? script.length : end + 2;
      line += script.slice(i, stop).split('\n').length - 1;
      i = stop - 1;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      let j = i + 1;
      for (; j < script.length; j++) {
        if (script[j] === close) {
          if (close !== ']' && script[j + 1] === close) j++; // '' "" `` escape the quote
          else break;
        }
      }
      code();
      line += script.slice(i, j).split('\n').length - 1;
      i = j;
      continue;
    }
    if (ch === ';') {
      cut(i + 1);
      continue;
    }
    if (!/\s/.test(ch)) code();
  }
  cut(script.length);
  return pieces;
}
