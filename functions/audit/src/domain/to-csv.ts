// The CSV export of entries: RFC 4180 quoting by csv-stringify, and every cell a spreadsheet
// would run as a formula (= + - @, tab, CR first) prefixed with a single quote (OWASP).
import { stringify } from 'csv-stringify/sync';
import type { AuditEntry } from './audit-record.js';

const COLUMNS = [
  'index',
  'occurredAt',
  'recordedAt',
  'action',
  'actor',
  'targetType',
  'targetId',
  'before',
  'after',
  'requestId',
  'traceId',
  'source',
  'eventId',
] as const;

/** A cell as text, defused when a spreadsheet would read it as a formula. */
export function safeCell(value: unknown): string {
  const cell =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : typeof value === 'number'
          ? String(value)
          : JSON.stringify(value);
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/**
 * The entries as CSV with a header line, CRLF line ends.
 * @example toCsv(entries) // 'index,occurredAt,…\r\n3,2026-…'
 */
export function toCsv(entries: readonly AuditEntry[]): string {
  return stringify(
    entries.map((entry) => COLUMNS.map((column) => safeCell(entry[column]))),
    { header: true, columns: [...COLUMNS], record_delimiter: 'windows', quoted_string: false },
  );
}
