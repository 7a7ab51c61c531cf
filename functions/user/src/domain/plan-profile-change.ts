import type { ConsentRecord, Profile, ProfileChanges } from './profile.js';

/** What a PATCH does to a profile: the columns that change and the consent record, if any. */
export interface ProfilePlan {
  changes: Partial<
    Pick<
      Profile,
      'displayName' | 'locale' | 'preferredCurrency' | 'marketingConsent' | 'marketingConsentAt'
    >
  >;
  consent: ConsentRecord | null;
}

/**
 * Compares requested settings with the profile and keeps only real changes. Granting marketing
 * consent stamps `marketingConsentAt` with `now` and records a grant; withdrawing clears it and
 * records a withdrawal; asking for the consent already in force changes nothing.
 * @example planProfileChange(profile, { marketingConsent: true }, now) // { changes: { marketingConsent: true, marketingConsentAt: now }, consent: { granted: true, … } }
 */
export function planProfileChange(
  current: Profile,
  requested: ProfileChanges,
  now: Date,
): ProfilePlan {
  const changes: ProfilePlan['changes'] = {};
  if (requested.displayName !== undefined && requested.displayName !== current.displayName) {
    changes.displayName = requested.displayName;
  }
  if (requested.locale !== undefined && requested.locale !== current.locale) {
    changes.locale = requested.locale;
  }
  if (
    requested.preferredCurrency !== undefined &&
    requested.preferredCurrency !== current.preferredCurrency
  ) {
    changes.preferredCurrency = requested.preferredCurrency;
  }
  let consent: ConsentRecord | null = null;
  const wanted = requested.marketingConsent;
  if (wanted !== undefined && wanted !== current.marketingConsent) {
    changes.marketingConsent = wanted;
    changes.marketingConsentAt = wanted ? now : null;
    consent = { granted: wanted, origin: 'profile', recordedAt: now };
  }
  return { changes, consent };
}
