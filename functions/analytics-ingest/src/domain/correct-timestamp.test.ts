import { describe, expect, it } from 'vitest';
import { correctTimestamp } from './correct-timestamp.js';

const receivedAt = new Date('2026-03-01T12:00:00.000Z');

describe('correctTimestamp', () => {
  it('takes receivedAt − (sentAt − originalTimestamp) when both are known', () => {
    const times = correctTimestamp({
      originalTimestamp: '2026-03-01T09:00:00.000Z',
      sentAt: '2026-03-01T09:00:30.000Z',
      receivedAt,
    });
    expect(times).toMatchObject({ ok: true, timestamp: new Date('2026-03-01T11:59:30.000Z') });
  });

  it('keeps the original timestamp without sentAt, and receivedAt without either', () => {
    expect(
      correctTimestamp({
        originalTimestamp: '2026-02-01T00:00:00+02:00',
        sentAt: undefined,
        receivedAt,
      }),
    ).toMatchObject({ timestamp: new Date('2026-01-31T22:00:00.000Z'), sentAt: null });
    expect(
      correctTimestamp({
        originalTimestamp: undefined,
        sentAt: '2026-03-01T12:00:00Z',
        receivedAt,
      }),
    ).toMatchObject({ timestamp: receivedAt, originalTimestamp: null });
  });

  it.each(['yesterday', '2026-13-01T00:00:00Z', '', '2026-03-01', '+275760-09-13T00:00:00Z'])(
    'refuses %j as a timestamp',
    (value) => {
      expect(correctTimestamp({ originalTimestamp: value, sentAt: undefined, receivedAt })).toEqual(
        {
          ok: false,
          field: 'timestamp',
        },
      );
    },
  );

  it('refuses a correction that leaves the years 0001–9999', () => {
    expect(
      correctTimestamp({
        originalTimestamp: '0001-01-01T00:00:00Z',
        sentAt: '9999-01-01T00:00:00Z',
        receivedAt,
      }),
    ).toEqual({ ok: false, field: 'timestamp' });
  });
});
