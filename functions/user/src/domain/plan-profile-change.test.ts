import { describe, expect, it } from 'vitest';
import { planProfileChange } from './plan-profile-change.js';
import type { Profile } from './profile.js';

const at = new Date('2025-01-01T00:00:00Z');
const now = new Date('2025-02-01T12:00:00Z');
const profile: Profile = {
  userId: '01940000-0000-7000-8000-000000000001',
  email: 'a@example.com',
  displayName: 'Ada',
  locale: 'en-GB',
  preferredCurrency: null,
  marketingConsent: false,
  marketingConsentAt: null,
  version: 1,
  registeredAt: at,
  createdAt: at,
  updatedAt: at,
};

describe('planProfileChange', () => {
  it('keeps only the fields that really change', () => {
    expect(
      planProfileChange(
        profile,
        { displayName: 'Ada', locale: 'de-DE', preferredCurrency: null },
        now,
      ),
    ).toEqual({ changes: { locale: 'de-DE' }, consent: null });
  });

  it('stamps the consent time and records a grant when consent is given', () => {
    expect(planProfileChange(profile, { marketingConsent: true }, now)).toEqual({
      changes: { marketingConsent: true, marketingConsentAt: now },
      consent: { granted: true, origin: 'profile', recordedAt: now },
    });
  });

  it('clears the consent time and records a withdrawal when consent is withdrawn', () => {
    const consenting = { ...profile, marketingConsent: true, marketingConsentAt: at };
    expect(planProfileChange(consenting, { marketingConsent: false }, now)).toEqual({
      changes: { marketingConsent: false, marketingConsentAt: null },
      consent: { granted: false, origin: 'profile', recordedAt: now },
    });
  });

  it('keeps the original consent time when consent is confirmed again', () => {
    const consenting = { ...profile, marketingConsent: true, marketingConsentAt: at };
    expect(planProfileChange(consenting, { marketingConsent: true }, now)).toEqual({
      changes: {},
      consent: null,
    });
  });
});
