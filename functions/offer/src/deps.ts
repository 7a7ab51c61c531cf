import type { Database } from '@shop/shared';

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface OfferDeps {
  db: Database;
  clock: () => Date;
  catalogCurrency: string;
  onEventsRecorded: () => void;
}
