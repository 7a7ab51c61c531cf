import type { Database, Logger } from '@shop/shared';
import type { RescoreRunner } from './rescore.js';
import type { ScoringSettings } from './scoring.js';

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface AttributionDeps {
  db: Database;
  log: Logger;
  clock: () => Date;
  settings: ScoringSettings;
  rescore: RescoreRunner;
}
