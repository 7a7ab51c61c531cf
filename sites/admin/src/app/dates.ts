// Local calendar dates (YYYY-MM-DD) in a time zone, as reporting takes its ranges.

/** The browser's IANA zone, or UTC when it names none. */
export function browserZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone) ? zone : 'UTC';
}

/**
 * The local date of `instant` in `zone`.
 * @example localDate(new Date('2026-03-31T22:30:00Z'), 'Europe/Berlin') // '2026-04-01'
 */
export function localDate(instant: Date, zone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/**
 * The dates `from`…`to` (both included), one per day.
 * @example daysBetween('2026-02-27', '2026-03-01') // ['2026-02-27', '2026-02-28', '2026-03-01']
 */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= end && days.length < 800; at += 86_400_000) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** `date` moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The first day of `date`'s month. */
export const monthStart = (date: string) => `${date.slice(0, 8)}01`;

/**
 * A local date of a filter form (YYYY-MM-DD) as the instant an API filters by: its first
 * moment, or with `endOfDay` its last; undefined for an empty field.
 * @example instantOfDate('2026-03-01', false) // '2026-02-28T23:00:00.000Z' in Berlin
 */
export const instantOfDate = (date: string | undefined, endOfDay: boolean) =>
  date ? new Date(`${date}T${endOfDay ? '23:59:59.999' : '00:00:00'}`).toISOString() : undefined;
