import type { Database, Logger } from '@shop/shared';
import type { AuditLog } from './audit-log.js';

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface AuditDeps {
  db: Database;
  log: Logger;
  clock: () => Date;
  auditLog: AuditLog;
}
