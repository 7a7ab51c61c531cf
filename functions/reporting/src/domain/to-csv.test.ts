import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { safeCell, toCsv } from './to-csv.js';

describe('toCsv', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])(
    'prefixes the text cell %j a spreadsheet would run',
    (cell) => expect(safeCell(cell)).toBe(`'${cell}`),
  );

  it('keeps numbers, negative ones too, and empties null', () => {
    expect(safeCell(-500)).toBe('-500');
    expect(safeCell(null)).toBe('');
  });

  it('quotes commas, quotes and line breaks so a CSV parser reads the cells back', () => {
    const csv = toCsv(['name', 'revenue'], [{ name: 'a, "b"\nc', revenue: 5 }]);
    expect(csv).toBe('name,revenue\r\n"a, ""b""\nc",5\r\n');
    expect(parse(csv)).toEqual([
      ['name', 'revenue'],
      ['a, "b"\nc', '5'],
    ]);
  });
});
