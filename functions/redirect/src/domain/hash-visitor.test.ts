import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashVisitor } from './hash-visitor.js';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';

describe('hashVisitor', () => {
  it('is HMAC-SHA-256 of the IP under the day key derived from the secret', () => {
    const at = new Date('2026-12-02T10:00:00Z');
    const dayKey = createHmac('sha256', SECRET).update('visitor-ip:2026-12-02').digest();
    const expected = createHmac('sha256', dayKey).update('203.0.113.7').digest('hex').slice(0, 32);
    expect(hashVisitor(SECRET, '203.0.113.7', at)).toBe(expected);
  });

  it('links one visitor within a UTC day and not across days or secrets', () => {
    const morning = hashVisitor(SECRET, '203.0.113.7', new Date('2026-12-02T00:00:01Z'));
    expect(hashVisitor(SECRET, '203.0.113.7', new Date('2026-12-02T23:59:59Z'))).toBe(morning);
    expect(hashVisitor(SECRET, '203.0.113.7', new Date('2026-12-03T00:00:00Z'))).not.toBe(morning);
    expect(hashVisitor(`${SECRET}!`, '203.0.113.7', new Date('2026-12-02T08:00:00Z'))).not.toBe(
      morning,
    );
    expect(hashVisitor(SECRET, '203.0.113.8', new Date('2026-12-02T08:00:00Z'))).not.toBe(morning);
    expect(morning).toMatch(/^[0-9a-f]{32}$/);
    expect(morning).not.toContain('203');
  });
});
