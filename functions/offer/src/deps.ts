import type { Database } from '@shop/shared';

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface OfferDeps {
  db: Database;
  clock: () => Date;
  catalogCurrency: string;
  onEventsRecorded: () => void;
  /** Minutes a stock reservation is held when the request names no hold. */
  stockHoldMinutes: number;
}
