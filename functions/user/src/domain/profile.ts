// The customer record as the domain sees it.

/** Lowercase or uppercase hex UUID of any version. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Most addresses one profile keeps. */
export const MAX_ADDRESSES = 10;

export interface Address {
  id: string;
  label: string | null;
  name: string;
  line1: string;
  line2: string | null;
  postalCode: string;
  city: string;
  region: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string;
  phone: string | null;
  isDefaultShipping: boolean;
  isDefaultBilling: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The fields of an address a shopper writes. */
export type AddressFields = Omit<Address, 'id' | 'createdAt' | 'updatedAt'>;

export interface Profile {
  userId: string;
  email: string;
  displayName: string | null;
  /** BCP 47 language tag, canonical form. */
  locale: string | null;
  /** ISO 4217 code. */
  preferredCurrency: string | null;
  marketingConsent: boolean;
  /** When the consent in force was given; null while not consenting. */
  marketingConsentAt: Date | null;
  version: number;
  registeredAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The settings a shopper changes with PATCH /api/users/me. */
export interface ProfileChanges {
  displayName?: string | null;
  locale?: string | null;
  preferredCurrency?: string | null;
  marketingConsent?: boolean;
}

/** One grant or withdrawal of marketing consent. */
export interface ConsentRecord {
  granted: boolean;
  origin: 'registration' | 'profile';
  recordedAt: Date;
}
