import type { Database, Logger } from '@shop/shared';
import type { Ingest } from './ingest.js';
import type { WriteKeys } from './write-keys.js';

/** Settings the routes read, resolved from the config (see main.ts). */
export interface IngestSettings {
  /** Key of the HMAC write keys are stored under. */
  writeKeySecret: string;
  /** Browser origins (the shop's sites) allowed to call the tracking routes. */
  corsOrigins: readonly string[];
}

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface AnalyticsIngestDeps {
  db: Database;
  log: Logger;
  clock: () => Date;
  ingest: Ingest;
  writeKeys: WriteKeys;
  settings: IngestSettings;
  /** Called once a transaction that wrote to analytics_ingest.outbox committed (wakes the relay). */
  onEventsRecorded: () => void;
}
