// Applies scheduled changes when they fall due: every instance looks once a second, each due
// change is claimed with FOR UPDATE SKIP LOCKED, so exactly one instance applies it, through
// the same write path as staff (validation, history, event), as `schedule:<id>`.
import { type Database, type Logger, Problem } from '@shop/shared';
import type { Environment } from './domain/flag-types.js';
import { setRollout } from './domain/set-rollout.js';
import { changeFlag, type FlagWriter } from './flag-changes.js';
import { claimDueScheduled, finishScheduled } from './store.js';

export interface SchedulerOptions extends FlagWriter {
  db: Database;
  log: Logger;
  environment: Environment;
  /** After a change committed: publish and reload. */
  afterChange: () => Promise<void>;
  intervalMs?: number;
}

/**
 * The scheduled-change runner of one environment.
 * @example const scheduler = createScheduler({ db, log, events, clock, environment: 'prod', afterChange }); scheduler.start();
 */
export interface Scheduler {
  start(): void;
  /** Applies what is due now; resolves to how many changes it applied. */
  runDue(): Promise<number>;
  stop(): Promise<void>;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { db, log, environment } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;

  const applyOne = async (): Promise<'applied' | 'failed' | 'none'> =>
    db.transaction(async (tx) => {
      const due = await claimDueScheduled(tx, environment, options.clock());
      if (!due) return 'none';
      try {
        // A savepoint keeps the claim when the change itself is refused.
        await tx.query('SAVEPOINT scheduled_change');
        await changeFlag(tx, options, {
          environment,
          key: due.key,
          by: `schedule:${due.id}`,
          ifMatch: { kind: 'missing' },
          mode: 'update',
          apply: (current) => {
            const definition = current as NonNullable<typeof current>;
            if (due.change.rolloutPercent !== undefined) {
              return { definition: setRollout(definition, due.change.rolloutPercent) };
            }
            return { definition: { ...definition, state: due.change.state ?? definition.state } };
          },
        });
        await finishScheduled(tx, due.id, options.clock(), 'applied');
        return 'applied';
      } catch (error) {
        await tx.query('ROLLBACK TO SAVEPOINT scheduled_change');
        const reason =
          error instanceof Problem ? (error.detail ?? error.message) : (error as Error).message;
        log.warn(
          { scheduledChange: due.id, flagKey: due.key, reason },
          'scheduled flag change refused',
        );
        await finishScheduled(tx, due.id, options.clock(), `failed: ${reason}`);
        return 'failed';
      }
    });

  const runDue = (): Promise<number> => {
    running ??= (async () => {
      let applied = 0;
      try {
        for (let i = 0; i < 100; i += 1) {
          const outcome = await applyOne();
          if (outcome === 'none') break;
          if (outcome === 'applied') applied += 1;
        }
        if (applied > 0) await options.afterChange();
      } catch (error) {
        log.warn({ err: error }, 'scheduled flag changes not applied this round');
      } finally {
        running = null;
      }
      return applied;
    })();
    return running;
  };

  return {
    start() {
      timer = setInterval(() => void runDue(), options.intervalMs ?? 1_000);
      timer.unref();
    },
    runDue,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
