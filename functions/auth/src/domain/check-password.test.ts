import { describe, expect, it } from 'vitest';
import { loadCommonPasswords } from '../common-passwords.js';
import { checkPassword } from './check-password.js';
import { normalizeEmail } from './normalize-email.js';

const common = loadCommonPasswords();

describe('checkPassword', () => {
  it('accepts a long uncommon password', () => {
    expect(checkPassword('violet-harbour-lantern-42', 'ana@example.com', common)).toBeNull();
  });

  it('refuses passwords shorter than 12 or longer than 128 characters', () => {
    expect(checkPassword('short-pass1', 'ana@example.com', common)).toMatch(/at least 12/);
    expect(checkPassword('x'.repeat(129), 'ana@example.com', common)).toMatch(/at most 128/);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(checkPassword('🔑'.repeat(12), 'ana@example.com', common)).toBeNull();
  });

  it('refuses common passwords whatever their case', () => {
    expect(common.size).toBeGreaterThan(200);
    for (const password of ['password1234', 'QWERTYUIOP123', '123456789012']) {
      expect(checkPassword(password, 'ana@example.com', common)).toMatch(/commonly used/);
    }
  });

  it('refuses a password containing the email local part', () => {
    expect(checkPassword('my-Anabelle-rocks-77', 'anabelle@example.com', common)).toMatch(/email/);
  });
});

describe('normalizeEmail', () => {
  it('trims, lowercases and composes to NFC', () => {
    expect(normalizeEmail('  José@Example.COM ')).toBe('josé@example.com');
    expect(normalizeEmail('Jose\u0301@example.com')).toBe('jos\u00e9@example.com');
  });
});
