// The one rule for strings a client sends: well-formed Unicode, no control characters, bounded.
// PostgreSQL text cannot hold NUL and its UTF-8 cannot hold a lone surrogate, so either one would
// fail a statement (a 500 once it is deep in a handler); control characters also forge log lines
// and break CSV exports. Refused at the edge, they are a 400 naming the field.
import { z } from '@hono/zod-openapi';

/** How {@link text} bounds and cleans one field. */
export interface TextOptions {
  /** Most characters (UTF-16 code units, after trimming). */
  max: number;
  /** Fewest characters, after trimming (default 1: an empty or blank value is refused). */
  min?: number;
  /** Allows tab, line feed and carriage return, for text of several lines (default false). */
  multiline?: boolean;
  /** Trims white space at both ends before checking (default true; false for passwords). */
  trim?: boolean;
}

export const CONTROL_CHARACTER_MESSAGE =
  'must not contain control characters (U+0000–U+001F, U+007F)';
export const MULTILINE_CONTROL_CHARACTER_MESSAGE =
  'must not contain control characters other than tab and line breaks';
export const LONE_SURROGATE_MESSAGE = 'must be well-formed Unicode (no lone surrogate halves)';

const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Whether `value` holds a C0 control character (U+0000–U+001F) or DEL; with `multiline`, tab,
 * line feed and carriage return are allowed.
 * @example hasControlCharacter('a\u0000b') // true
 */
export function hasControlCharacter(value: string, multiline = false): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code >= 0x20 && code !== 0x7f) continue;
    if (multiline && (code === TAB || code === LINE_FEED || code === CARRIAGE_RETURN)) continue;
    return true;
  }
  return false;
}

/**
 * Whether a string can be stored and echoed as it is: well-formed Unicode without control
 * characters (tab and line breaks allowed with `multiline`).
 * @example isCleanText('Zoë 🙂') // true; isCleanText('\ud800') // false
 */
export function isCleanText(value: string, multiline = false): boolean {
  return value.isWellFormed() && !hasControlCharacter(value, multiline);
}

/**
 * The zod schema of a string field a client sends (body, query, path or header): trimmed,
 * `min`–`max` long, well-formed Unicode, no control characters. Every route's string fields
 * start from it; chain `.regex()`, `.optional()` or `.openapi()` as usual.
 * @example const Body = z.strictObject({ name: text({ max: 200 }), notes: text({ max: 5000, min: 0, multiline: true }) });
 */
export function text(options: TextOptions) {
  const { max, min = 1, multiline = false, trim = true } = options;
  const trimmed = trim ? z.string().trim() : z.string();
  const base = min > 0 ? trimmed.min(min) : trimmed;
  return base
    .max(max)
    .refine((value) => value.isWellFormed(), { message: LONE_SURROGATE_MESSAGE, abort: true })
    .refine((value) => !hasControlCharacter(value, multiline), {
      message: multiline ? MULTILINE_CONTROL_CHARACTER_MESSAGE : CONTROL_CHARACTER_MESSAGE,
    });
}
