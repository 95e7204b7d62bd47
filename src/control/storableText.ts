/**
 * Text that came from a target (an error message, a PRINT) on its way into the control database.
 * PostgreSQL's text types cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00"),
 * while SQL Server's nvarchar and SQLite can: a message holding one would fail the write that
 * records the attempt, on one dialect only. Each NUL is written as U+FFFD (the replacement
 * character), the same on every dialect; nothing else is changed. Text a user sends is refused
 * at the API's edge instead (src/api/nulCharacters.ts).
 */
export function storableText<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' && text.includes('\u0000') ? text.replace(/\u0000/g, '\uFFFD') : text) as T;
}
