import { eventCatalog } from '@shop/eventing';
import { describe, expect, it } from 'vitest';
import { deriveClickId } from './derive-click-id.js';

const secret = 'test-secret-of-at-least-thirty-two-chars';
const link = '0196f0a2-7c1e-7a00-8000-00000000a001';
const at = new Date('2026-12-02T10:15:00Z');

describe('deriveClickId', () => {
  it('is a version 8 UUID the catalog takes, the same for the visitor, link and window', () => {
    const id = deriveClickId(secret, link, 'visitor', at, 3600);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventCatalog['shop.link.clicked'].schema.shape.clickId.safeParse(id).success).toBe(true);
    expect(deriveClickId(secret, link, 'visitor', new Date('2026-12-02T10:59:59Z'), 3600)).toBe(id);
  });

  it('differs for another visitor, link, window or secret', () => {
    const id = deriveClickId(secret, link, 'visitor', at, 3600);
    expect(deriveClickId(secret, link, 'someone else', at, 3600)).not.toBe(id);
    expect(deriveClickId(secret, link.replace('a001', 'a002'), 'visitor', at, 3600)).not.toBe(id);
    expect(deriveClickId(secret, link, 'visitor', new Date('2026-12-02T11:00:00Z'), 3600)).not.toBe(
      id,
    );
    expect(deriveClickId(`${secret}!`, link, 'visitor', at, 3600)).not.toBe(id);
  });
});
