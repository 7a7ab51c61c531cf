import { describe, expect, it } from 'vitest';
import { signUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.js';

const secret = 'a-test-secret-of-enough-length-000';
const userId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('unsubscribe tokens', () => {
  it('names the user of a token signed with the secret', () => {
    expect(verifyUnsubscribeToken(secret, signUnsubscribeToken(secret, userId))).toBe(userId);
  });

  it('refuses a token for another user, under another secret, or tampered with', () => {
    const token = signUnsubscribeToken(secret, userId);
    const other = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
    expect(verifyUnsubscribeToken(secret, `${other}.${token.split('.')[1]}`)).toBeUndefined();
    expect(verifyUnsubscribeToken('another-secret-of-enough-length-1', token)).toBeUndefined();
    expect(verifyUnsubscribeToken(secret, `${token}x`)).toBeUndefined();
    expect(verifyUnsubscribeToken(secret, `${token}.x`)).toBeUndefined();
    expect(verifyUnsubscribeToken(secret, 'garbage')).toBeUndefined();
  });
});
