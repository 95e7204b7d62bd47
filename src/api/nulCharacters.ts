/**
 * Text no control database can store: PostgreSQL refuses U+0000 in text and jsonb ("invalid byte
 * sequence for encoding UTF8: 0x00", "unsupported Unicode escape sequence"), SQL Server's
 * drivers cut or refuse it, SQLite would keep it. The edge refuses it in every string of a
 * request, keys included, before any schema or store sees it, so all three dialects answer the
 * same 400.
 */
import type { FieldError } from '../domain/errors';

const NUL = '\u0000';

export const NUL_MESSAGE = 'must not contain a NUL character (U+0000)';

/** A key as it reads in a field path: its NUL shown as `\u0000`. */
const readable = (key: string) => key.split(NUL).join('\\u0000');

/** Every field of `value` (a parsed JSON body, a query or path object) holding a NUL, by path (`body.username`, `body.tags.0`). */
export function nulFieldErrors(value: unknown, path: string): FieldError[] {
  const out: FieldError[] = [];
  const visit = (v: unknown, at: string) => {
    if (typeof v === 'string') {
      if (v.includes(NUL)) out.push({ path: at, message: NUL_MESSAGE });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, `${at}.${i}`));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        if (key.includes(NUL)) out.push({ path: `${at}.${readable(key)}`, message: NUL_MESSAGE });
        else visit(item, `${at}.${key}`);
      }
    }
  };
  visit(value, path);
  return out;
}
