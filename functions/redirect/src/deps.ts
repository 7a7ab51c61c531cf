import type { Database, KeyValue, Logger } from '@shop/shared';
import type { ClickRecorder } from './click-recorder.js';
import type { CountryLookup } from './country-lookup.js';
import type { DestinationPolicy } from './domain/validate-destination.js';
import type { LinkCache } from './link-cache.js';
import type { RedirectCounter } from './redirect-metrics.js';
import type { RepeatClicks } from './repeat-clicks.js';

/** Settings the routes read, resolved from the config (see main.ts). */
export interface RedirectSettings {
  destinationPolicy: DestinationPolicy;
  /** Query parameter the click id travels in to the destination (default `shop_click`). */
  clickIdParam: string;
  /** HMAC key of the visitor hashes (rotated daily from it) and of the signed cookies. */
  secret: string;
  /** Seconds an unlock cookie of a password-protected link is valid (default 900). */
  unlockSeconds: number;
}

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface RedirectDeps {
  db: Database;
  kv: KeyValue;
  log: Logger;
  clock: () => Date;
  links: LinkCache;
  clicks: ClickRecorder;
  repeats: RepeatClicks;
  /** The country of an IP; null until the database is read, or when unknown. */
  country: CountryLookup;
  counter: RedirectCounter;
  settings: RedirectSettings;
  onEventsRecorded: () => void;
}
