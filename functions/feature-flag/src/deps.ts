import type { Database, Lifecycle, Logger } from '@shop/shared';
import type { Environment } from './domain/flag-types.js';
import type { FeatureFlagEvents } from './events.js';
import type { ExperimentRecorder } from './experiment-recorder.js';
import type { FlagSource } from './flag-source.js';
import type { RequestBudget } from './request-budget.js';

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface FeatureFlagDeps {
  db: Database;
  log: Logger;
  clock: () => Date;
  lifecycle: Lifecycle | undefined;
  events: FeatureFlagEvents;
  flags: FlagSource;
  /** The environment this instance serves over OFREP and admin routes default to. */
  environment: Environment;
  /** OFREP evaluations this instance takes per second before answering 429. */
  budget: RequestBudget;
  /** Open change streams this instance holds at most. */
  maxStreams: number;
  onEventsRecorded: () => void;
  /** Records sampled exposures of experiment flags. */
  experiments: ExperimentRecorder | undefined;
}
