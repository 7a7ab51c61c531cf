import { eventCatalog } from '@shop/eventing';
import { describe, expect, it } from 'vitest';
import { checkCallText } from './check-call-text.js';
import { normalizeCall } from './normalize-call.js';
import { CALL_TYPES } from './segment-call.js';

const envelope = {
  sourceId: '0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b',
  receivedAt: new Date('2026-03-01T12:00:00Z'),
  clickIdParam: 'shop_click',
  newMessageId: () => '0197a3b2-7c1e-7d4f-8a9b-000000000001',
};

const strings = [
  'ok',
  '',
  'x'.repeat(200),
  'x'.repeat(201),
  'x'.repeat(501),
  'tab\there',
  'nul\u0000',
  'del\u007f',
  'lone \ud800',
  'Zoë 🙂',
  ' padded ',
];
const ffffffff = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

describe('checkCallText', () => {
  it('answers as the catalog schema does for every call type and tricky string', () => {
    let compared = 0;
    for (const type of CALL_TYPES) {
      for (const value of strings) {
        for (const field of [
          'messageId',
          'anonymousId',
          'userId',
          'event',
          'name',
          'category',
          'groupId',
          'previousId',
        ]) {
          const raw: Record<string, unknown> = {
            anonymousId: 'a1',
            userId: 'u1',
            event: 'e',
            groupId: 'g',
            previousId: 'p',
            properties: { clickId: ffffffff, url: `https://shop.example/?shop_click=${ffffffff}` },
            [field]: value,
          };
          const result = normalizeCall(type, raw, envelope);
          if (!result.ok) continue;
          const catalog = eventCatalog[`shop.analytics.${type}`].schema.safeParse(result.call.data);
          expect(
            checkCallText(result.call) === undefined,
            `${type} ${field}=${JSON.stringify(value)}`,
          ).toBe(catalog.success);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
  });
});
