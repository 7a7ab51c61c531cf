// Reports as CSV: RFC 4180 quoting by csv-stringify, CRLF line ends, and every text cell a
// spreadsheet would run as a formula (= + - @, tab, CR first) prefixed with a single quote
// (OWASP's CSV injection advice). Numbers stay numbers: a negative amount is data, not a formula.
import { stringify } from 'csv-stringify/sync';

/** A text cell, defused when a spreadsheet would read it as a formula. */
export function safeCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * The rows as CSV with a header line of `columns`.
 * @example toCsv(['period', 'revenue'], [{ period: '2026-01-01', revenue: 500 }]) // 'period,revenue\r\n2026-01-01,500\r\n'
 */
export function toCsv<Row extends object>(
  columns: readonly (keyof Row & string)[],
  rows: readonly Row[],
): string {
  return stringify(
    rows.map((row) =>
      columns.map((column) =>
        safeCell((row[column] as string | number | null | undefined) ?? null),
      ),
    ),
    { header: true, columns: [...columns], record_delimiter: 'windows', quoted_string: false },
  );
}
