// The catalog as CSV, both ways: the export staff download and the file they import. RFC 4180
// by csv-stringify and csv-parse (quotes, commas, line breaks in cells), UTF-8 with a byte order
// mark so spreadsheets read unicode, CRLF line ends, prices and stock as integers (minor units,
// never a decimal to round). Text a spreadsheet would run as a formula (= + - @, tab, CR first)
// is defused with a leading apostrophe (OWASP's CSV injection advice); a text that itself starts
// with an apostrophe before one of those gets one more, and the import takes exactly one off:
// export → import changes nothing, whatever the text.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Product } from './product.js';

/** The export's columns, in order; an import needs `slug` and any of the others. */
export const CATALOG_CSV_COLUMNS = [
  'slug',
  'name',
  'category',
  'price_amount',
  'currency',
  'stock',
  'status',
  'description',
  'images',
] as const;
export type CatalogCsvColumn = (typeof CATALOG_CSV_COLUMNS)[number];

const RISKY_START = /^[=+\-@\t\r]/;
const DEFUSED_START = /^'[=+\-@\t\r']/;

/**
 * A text cell as exported: defused when a spreadsheet would read it as a formula.
 * @example defuseCell('=SUM(A1)') // "'=SUM(A1)"
 */
export function defuseCell(value: string): string {
  return RISKY_START.test(value) || DEFUSED_START.test(value) ? `'${value}` : value;
}

/**
 * A text cell as imported: the export's defusing apostrophe taken off again.
 * @example restoreCell("'=SUM(A1)") // '=SUM(A1)'
 */
export function restoreCell(cell: string): string {
  return DEFUSED_START.test(cell) ? cell.slice(1) : cell;
}

/** One product as the export's cells. */
function productCells(product: Product): string[] {
  return [
    product.slug,
    defuseCell(product.name),
    product.category,
    String(product.priceAmount),
    product.currency,
    String(product.stock),
    product.status,
    defuseCell(product.description),
    // Image URLs are absolute https URLs: they hold no space.
    product.images.join(' '),
  ];
}

/**
 * The header line of an export (with the byte order mark), for streaming exports.
 * @example csvHeader() + products.map(csvLine).join('')
 */
export function csvHeader(): string {
  return stringify([[...CATALOG_CSV_COLUMNS]], { bom: true, record_delimiter: 'windows' });
}

/** One product's CSV line (CRLF-terminated). */
export function csvLine(product: Product): string {
  return stringify([productCells(product)], { record_delimiter: 'windows' });
}

/** A data row of an import: its first line in the file and its cells by column. */
export interface CatalogCsvRow {
  line: number;
  cells: Partial<Record<CatalogCsvColumn, string>>;
  /** Cells beyond the header's columns (a shifted row): the row check refuses the row. */
  extraCells: number;
}

/** Why a file cannot be read at all (the rows are not even looked at). */
export class CatalogCsvError extends Error {
  override name = 'CatalogCsvError';
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

/**
 * The rows of an import file: the header names the columns (any order, `slug` required, each at
 * most once, no unknown ones); empty lines are skipped; each row keeps the line it starts on.
 * Throws CatalogCsvError for a file that is not such a CSV.
 * @example parseCatalogCsv('slug,price_amount\r\nkettle,2999\r\n') // [{ line: 2, cells: { slug: 'kettle', price_amount: '2999' } }]
 */
export function parseCatalogCsv(text: string, maxRows: number): CatalogCsvRow[] {
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      raw: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    throw new CatalogCsvError(
      `The file is not valid CSV: ${(error as Error).message}`,
      typeof line === 'number' ? line : undefined,
    );
  }
  const [header, ...data] = records;
  if (!header) throw new CatalogCsvError('The file is empty: it needs a header line.', 1);
  const columns = header.record.map((name) => name.trim().toLowerCase());
  const known = new Set<string>(CATALOG_CSV_COLUMNS);
  const unknown = columns.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new CatalogCsvError(
      `Unknown column ${JSON.stringify(unknown[0])}; the columns are ${CATALOG_CSV_COLUMNS.join(', ')}.`,
      1,
    );
  }
  const repeated = columns.find((name, i) => columns.indexOf(name) !== i);
  if (repeated) throw new CatalogCsvError(`The column ${repeated} is named twice.`, 1);
  if (!columns.includes('slug')) {
    throw new CatalogCsvError('The header needs a slug column: products are matched by it.', 1);
  }
  if (data.length > maxRows) {
    throw new CatalogCsvError(
      `The file has ${data.length} rows; at most ${maxRows} at once.`,
      undefined,
    );
  }
  return data.map(({ record, info, raw }) => {
    const line = info.lines - (raw.match(/\n/g)?.length ?? 0);
    const cells: CatalogCsvRow['cells'] = {};
    columns.forEach((name, i) => {
      const cell = record[i];
      if (cell !== undefined) cells[name as CatalogCsvColumn] = cell;
    });
    return { line, cells, extraCells: Math.max(0, record.length - columns.length) };
  });
}
