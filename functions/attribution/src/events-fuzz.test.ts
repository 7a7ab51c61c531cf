// Generated events of every consumed type, valid and not: never a 5xx, refusals are
// problem+json 4xx that store nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from './events.js';
import { createTestbed, story, type Testbed } from './testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed({ settings: { model: 'time_decay', lookbackDays: 365 } });
});
afterAll(async () => {
  await bed.cleanup();
});

const instant = fc
  .date({
    min: new Date('0001-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString());
const label = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('aff-1', 'summer', '💸', ''),
);
const amount = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000_000_000 }),
  fc.constantFrom(-1, 0.5, 1e13),
);
const ids = fc.constantFrom(
  '0190d000-0000-7000-8000-000000000001',
  '0190d000-0000-7000-8000-000000000002',
  '0190d000-0000-7000-8000-000000000003',
);
const s = story();

/** An event of each consumed type from a valid base, with fields overwritten by generated values. */
function eventArbitrary(type: (typeof events.consumes)[number]) {
  const overrides = fc.record(
    {
      orderId: ids,
      paymentId: ids,
      clickId: fc.oneof(ids, fc.constant(null)),
      userId: fc.oneof(ids, fc.constant(null)),
      anonymousId: fc.oneof(fc.constantFrom('anon-1', 'anon-2'), fc.constant(null)),
      affiliateId: label,
      campaign: label,
      clickedAt: instant,
      timestamp: instant,
      receivedAt: instant,
      succeededAt: instant,
      createdAt: instant,
      total: fc.record({ amount, currency: fc.constantFrom('EUR', 'USD', 'eur') }),
      amount: fc.record({ amount, currency: fc.constantFrom('EUR', 'USD') }),
      bot: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  const base: Record<string, unknown> =
    type === 'shop.order.created'
      ? s.order('0190d000-0000-7000-8000-000000000001', { amount: 100 })
      : type === 'shop.payment.succeeded'
        ? s.payment(
            '0190d000-0000-7000-8000-000000000001',
            '0190d000-0000-7000-8000-000000000002',
            100,
          )
        : type === 'shop.payment.refunded'
          ? s.refund(
              '0190d000-0000-7000-8000-000000000001',
              '0190d000-0000-7000-8000-000000000002',
              're_1',
              10,
            )
          : type === 'shop.user.erased'
            ? {
                userId: '0190d000-0000-7000-8000-000000000003',
                requestedBy: null,
                erasedAt: s.at(0),
              }
            : type === 'shop.link.clicked'
              ? s.click('0190d000-0000-7000-8000-000000000001', { daysBefore: 1 })
              : type === 'shop.analytics.identify'
                ? s.identify({
                    messageId: 'i',
                    anonymousId: 'anon-1',
                    userId: '0190d000-0000-7000-8000-000000000003',
                    daysBefore: 1,
                  })
                : type === 'shop.analytics.alias'
                  ? {
                      ...s.identify({
                        messageId: 'a',
                        anonymousId: 'anon-2',
                        userId: '0190d000-0000-7000-8000-000000000003',
                        daysBefore: 1,
                      }),
                      traits: undefined,
                      previousId: 'anon-2',
                    }
                  : type === 'shop.analytics.group'
                    ? {
                        ...s.identify({
                          messageId: 'g',
                          anonymousId: 'anon-1',
                          userId: '0190d000-0000-7000-8000-000000000003',
                          daysBefore: 1,
                        }),
                        groupId: 'g1',
                      }
                    : type === 'shop.analytics.track'
                      ? {
                          ...s.page({ messageId: 't', anonymousId: 'anon-1', daysBefore: 1 }),
                          name: undefined,
                          category: undefined,
                          event: 'Viewed',
                        }
                      : s.page({
                          messageId: 'p',
                          anonymousId: 'anon-1',
                          clickId: '0190d000-0000-7000-8000-000000000001',
                          utm: 'x',
                          daysBefore: 1,
                        });
  return fc.tuple(overrides, fc.string({ maxLength: 12 })).map(([changes, messageId]) => {
    const data: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(changes)) if (key in base) data[key] = value;
    if ('messageId' in base) data.messageId = messageId || 'm';
    return data;
  });
}

describe('generated events', () => {
  it('never answer 5xx; refusals are problem+json', async () => {
    for (const type of events.consumes) {
      await fc.assert(
        fc.asyncProperty(eventArbitrary(type), async (data) => {
          const res = await bed.deliver(type, data);
          expect(
            res.status,
            `${type} ${JSON.stringify(data)} → ${await res.clone().text()}`,
          ).toBeLessThan(500);
          if (res.status >= 400)
            expect(res.headers.get('content-type')).toContain('application/problem+json');
        }),
        { numRuns: 25, seed: 20261202 },
      );
    }
  });
});
