import type { Database } from '@shop/shared';

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface ReportingDeps {
  db: Database;
}
