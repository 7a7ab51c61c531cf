import type { Database, Logger } from '@shop/shared';
import type { Dispatcher } from './dispatcher.js';

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface NotificationDeps {
  db: Database;
  log: Logger;
  clock: () => Date;
  dispatcher: Dispatcher;
  unsubscribeSecret: string;
}
