// IANA time zone names as the reports accept them: a name both Intl and PostgreSQL know
// (Area/Location or UTC), never a POSIX string or an offset, which PostgreSQL reads with the
// sign inverted.

const IANA_NAME = /^(?:UTC|[A-Z][A-Za-z_]+(?:\/[A-Z0-9][A-Za-z0-9_+-]*){1,2})$/;

/**
 * Whether `zone` is an IANA zone name the runtime knows.
 * @example isTimeZone('Europe/Berlin') // true; isTimeZone('+01:00') // false
 */
export function isTimeZone(zone: string): boolean {
  if (!IANA_NAME.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a comma-separated list of zones; throws naming the first unknown one.
 * @example parseTimeZones('UTC, Europe/Berlin') // ['UTC', 'Europe/Berlin']
 */
export function parseTimeZones(list: string): string[] {
  const zones = [
    ...new Set(
      list
        .split(',')
        .map((z) => z.trim())
        .filter(Boolean),
    ),
  ];
  for (const zone of zones) {
    if (!isTimeZone(zone)) throw new RangeError(`${zone} is not an IANA time zone name`);
  }
  return zones.sort();
}
