import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from './audit-record.js';
import { safeCell, toCsv } from './to-csv.js';

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  index: 0,
  source: '/shop/offer',
  eventId: 'e1',
  action: 'shop.offer.created',
  actor: 'staff-1',
  targetType: 'product',
  targetId: 'p1',
  before: null,
  after: { name: 'Mug, "blue"\nlarge' },
  requestId: null,
  traceId: null,
  occurredAt: '2026-01-01T00:00:00.000Z',
  recordedAt: '2026-01-01T00:00:01.000Z',
  ...over,
});

describe('the CSV export', () => {
  it('defuses cells a spreadsheet would run as formulas', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(safeCell(`${start}HYPERLINK("x")`)).toBe(`'${start}HYPERLINK("x")`);
    }
    expect(safeCell('plain')).toBe('plain');
    expect(safeCell(null)).toBe('');
  });

  it('quotes per RFC 4180 so every row reads back as written', () => {
    const csv = toCsv([entry({ actor: '=cmd|calc' }), entry({ index: 1 })]);
    expect(csv.split('\r\n')[0]).toBe(
      'index,occurredAt,recordedAt,action,actor,targetType,targetId,before,after,requestId,traceId,source,eventId',
    );
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]?.actor).toBe("'=cmd|calc");
    expect(JSON.parse(rows[1]?.after as string)).toEqual({ name: 'Mug, "blue"\nlarge' });
  });
});
