import { describe, expect, it } from 'vitest';
import { isTimeZone, parseTimeZones } from './time-zone.js';

describe('isTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata'])(
    'accepts %s',
    (zone) => expect(isTimeZone(zone)).toBe(true),
  );

  it.each(['+01:00', 'EST5EDT', 'Mars/Olympus', 'europe/berlin', "UTC'; DROP", ''])(
    'refuses %s',
    (zone) => expect(isTimeZone(zone)).toBe(false),
  );
});

describe('parseTimeZones', () => {
  it('trims, dedupes and sorts the list', () => {
    expect(parseTimeZones(' UTC, Europe/Berlin ,UTC,')).toEqual(['Europe/Berlin', 'UTC']);
  });

  it('names the zone it does not know', () => {
    expect(() => parseTimeZones('UTC,Europe/Nowhere')).toThrow('Europe/Nowhere');
  });
});
