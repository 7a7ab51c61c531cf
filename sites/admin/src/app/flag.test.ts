import { describe, expect, it } from 'vitest';
import {
  environmentValues,
  type Flag,
  historyChanges,
  parsePercent,
  scheduleStep,
  showValue,
} from './flag.js';

const flag = (definition: Flag['definition'], enabled = true): Flag => ({
  key: 'new-checkout',
  environment: 'dev',
  definition,
  enabled,
  rolloutPercent: 100,
  version: 1,
  archived: false,
  updatedAt: '2026-12-01T10:00:00.000Z',
  updatedBy: 'staff-1',
});

describe("one environment's values of a flag", () => {
  it('reads a plain rollout as its percentage and variants', () => {
    const values = environmentValues(
      flag({
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: {
          fractional: [
            ['on', 1],
            ['off', 3],
          ],
        },
      }),
    );
    expect(values).toEqual({
      enabled: true,
      defaultVariant: 'off',
      variants: ['on', 'off'],
      rollout: { percent: 25, variant: 'on', otherVariant: 'off' },
      hasRules: false,
    });
  });

  it('tells targeting rules apart from a rollout, and no targeting from both', () => {
    const rules = environmentValues(
      flag({ variants: { on: true, off: false }, targeting: { if: [{ var: 'x' }, 'on', null] } }),
    );
    expect(rules).toMatchObject({ rollout: null, hasRules: true, defaultVariant: null });
    expect(environmentValues(flag({ variants: { a: 1 }, targeting: {} }))).toMatchObject({
      rollout: null,
      hasRules: false,
    });
  });
});

describe('a scheduled step from its form', () => {
  const now = new Date('2026-12-04T12:00:00Z');

  it('sends the local time as an instant with the rollout percentage', () => {
    const step = scheduleStep({ at: '2026-12-05T09:30', what: 'rollout', percent: ' 50 ' }, now);
    expect(step).toEqual({
      ok: true,
      step: { at: new Date('2026-12-05T09:30').toISOString(), rolloutPercent: 50 },
    });
  });

  it('turns a flag on or off', () => {
    expect(scheduleStep({ at: '2026-12-05T09:30', what: 'disable', percent: '' }, now)).toEqual({
      ok: true,
      step: { at: new Date('2026-12-05T09:30').toISOString(), state: 'DISABLED' },
    });
    expect(scheduleStep({ at: '2026-12-05T09:30', what: 'enable', percent: 'x' }, now)).toEqual({
      ok: true,
      step: { at: new Date('2026-12-05T09:30').toISOString(), state: 'ENABLED' },
    });
  });

  it('refuses no time, a time not in the future and a percentage outside 0–100', () => {
    expect(scheduleStep({ at: '', what: 'enable', percent: '' }, now)).toMatchObject({
      ok: false,
      field: 'at',
      reason: 'missingTime',
    });
    expect(
      scheduleStep({ at: '2020-01-01T00:00', what: 'rollout', percent: '10' }, now),
    ).toMatchObject({ ok: false, field: 'at', reason: 'notFuture' });
    for (const percent of ['', '101', '-1', '2.5', 'ten']) {
      expect(scheduleStep({ at: '2027-01-01T00:00', what: 'rollout', percent }, now)).toMatchObject(
        { ok: false, field: 'percent', reason: 'badPercent' },
      );
    }
  });
});

describe('a typed rollout percentage', () => {
  it('is an integer from 0 to 100', () => {
    expect(parsePercent(' 25 ')).toBe(25);
    expect(parsePercent('0')).toBe(0);
    for (const bad of ['', '100.5', '101', 'x', '-3']) expect(parsePercent(bad)).toBeUndefined();
  });
});

describe('the changes of a history entry', () => {
  it("shows the function's diff with its values", () => {
    const diff = [{ path: '/state', before: 'ENABLED', after: 'DISABLED' }];
    expect(historyChanges({ diff, before: null, after: null })).toBe(diff);
  });

  it('works out before → after per leaf when the diff names only paths', () => {
    expect(
      historyChanges({
        diff: [{ path: '/state' }, { path: '/targeting' }],
        before: { state: 'ENABLED', variants: { on: true, off: false } },
        after: {
          state: 'DISABLED',
          variants: { on: true, off: false },
          targeting: { fractional: [['on', 10]] },
        },
      }),
    ).toEqual([
      { path: '/state', before: 'ENABLED', after: 'DISABLED' },
      { path: '/targeting', after: { fractional: [['on', 10]] } },
    ]);
  });

  it('shows a created flag as every path added', () => {
    expect(historyChanges({ diff: [], before: null, after: { state: 'ENABLED' } })).toEqual([
      { path: '/state', after: 'ENABLED' },
    ]);
  });

  it('writes values as JSON, absent ones as a dash, long ones shortened', () => {
    expect(showValue(undefined)).toBe('—');
    expect(showValue('on')).toBe('"on"');
    expect(showValue('x'.repeat(300), 10)).toBe(`"${'x'.repeat(8)}…`);
  });
});
