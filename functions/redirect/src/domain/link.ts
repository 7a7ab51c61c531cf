// A tracked link as the redirect function keeps it.

/** A targeting rule: the first rule whose every named condition matches picks the destination. */
export interface LinkRule {
  /** ISO 3166-1 alpha-2 countries, e.g. `['DE', 'AT']`. */
  countries?: string[];
  devices?: Exclude<Device, 'bot'>[];
  /** Operating system names as the UA parser gives them, lower-case: `ios`, `android`, `windows`… */
  os?: string[];
  /** Primary language subtags from Accept-Language, lower-case: `de`, `fr`… */
  languages?: string[];
  destinationUrl: string;
}

/** One arm of an A/B split; visitors stick to the arm their id hashes into. */
export interface LinkVariant {
  destinationUrl: string;
  /** Relative weight, 1–1000. */
  weight: number;
}

export type Device = 'desktop' | 'mobile' | 'tablet' | 'tv' | 'bot' | 'other';

export interface Link {
  id: string;
  /** As staff wrote it, NFC-normalised. */
  code: string;
  /** The lookup key: the code, lower-cased unless the link is case-sensitive. */
  codeKey: string;
  caseSensitive: boolean;
  destinationUrl: string;
  affiliateId: string | null;
  campaign: string | null;
  /** utm_source, utm_medium… added to the destination's query (the stored link wins). */
  utm: Record<string, string>;
  status: 'active' | 'disabled';
  /** 302 unless the link asks for 301 (browsers cache 301s: repeat clicks go uncounted). */
  redirectStatus: 301 | 302;
  expiresAt: Date | null;
  /** Where an expired link sends visitors; null shows the expired page. */
  expiredUrl: string | null;
  rules: LinkRule[];
  variants: LinkVariant[];
  /** argon2id PHC string; null when the link is open. */
  passwordHash: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
}
