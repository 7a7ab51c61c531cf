// The instants of event data: ISO-8601 like the kit's timestampSchema, and only instants a
// consumer can store: years 0001–9999 (PostgreSQL knows no year 0) and days the month has.
import { z } from 'zod';

const DATE_PART = /^(\d{4})-(\d{2})-(\d{2})/;

function isStorableInstant(value: string): boolean {
  const [, year, month, day] = DATE_PART.exec(value)?.map(Number) ?? [];
  if (!year || !month || !day) return false;
  // Date.UTC rolls 02-30 over to 03-02; a day the month lacks does not come back as itself.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return false;
  const instant = new Date(value);
  const utcYear = instant.getUTCFullYear();
  return !Number.isNaN(instant.getTime()) && utcYear >= 1 && utcYear <= 9999;
}

/**
 * An instant in event data, e.g. `2025-11-25T09:30:00.000Z` (Z or an offset), in the years
 * 0001–9999 and on a day that exists; the `Timestamp` of the catalog's JSON Schemas.
 * @example schema: z.object({ registeredAt: eventTimestamp })
 */
export const eventTimestamp = z.iso
  .datetime({ offset: true })
  .refine(isStorableInstant, 'must be an instant in the years 0001–9999 on a day that exists')
  .meta({
    id: 'Timestamp',
    description: 'An instant, ISO-8601 with Z or an offset, in the years 0001–9999.',
  });
