// Re-scoring a period under another model, as a job with progress. Results go to
// attribution.rescore_result only: the live conversions (and paid-out commissions) never change.
import { type Database, type Logger, newId, type Queryable } from '@shop/shared';
import { type ChannelPath, removalEffects } from './domain/markov-removal-effect.js';
import { channelOf, type Model } from './domain/touchpoint.js';
import { computeCredits, type ScoringSettings, touchesFor } from './scoring.js';
import { findOrder } from './store.js';

const DAY_MS = 86_400_000;
const BATCH = 200;

export interface RescoreJob {
  jobId: string;
  model: Model;
  from: Date;
  to: Date;
  status: 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  error: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface RescoreRunner {
  start(input: { model: Model; from: Date; to: Date; createdBy: string }): Promise<RescoreJob>;
  get(jobId: string): Promise<RescoreJob | undefined>;
  /** Waits for the jobs this instance runs (tests, shutdown). */
  idle(): Promise<void>;
}

function toJob(row: Record<string, unknown>): RescoreJob {
  return {
    jobId: row.job_id as string,
    model: row.model as Model,
    from: row.period_from as Date,
    to: row.period_to as Date,
    status: row.status as RescoreJob['status'],
    total: Number(row.total),
    processed: Number(row.processed),
    error: row.error as string | null,
    createdBy: row.created_by as string,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

/**
 * The conversion and non-conversion paths of [from, to): each scored conversion's touches, and
 * every other visitor's touches in the period (page views carrying a claimed click or UTM).
 */
export async function channelPaths(
  db: Queryable,
  from: Date,
  to: Date,
  settings: Pick<ScoringSettings, 'lookbackDays' | 'maxTouches'>,
): Promise<ChannelPath[]> {
  const paths: ChannelPath[] = [];
  const { rows } = await db.query<{ order_id: string; purchased_at: Date }>(
    `SELECT order_id, purchased_at FROM attribution.conversion
     WHERE status <> 'mismatched' AND purchased_at >= $1 AND purchased_at < $2 ORDER BY order_id`,
    [from, to],
  );
  const converted = new Set<string>();
  for (const row of rows) {
    const order = await findOrder(db, row.order_id);
    const touches = order ? await touchesFor(db, order, row.purchased_at, settings) : [];
    paths.push({ channels: touches.map(channelOf), converted: true });
  }
  const { rows: visitors } = await db.query<{ visitor: string }>(
    `SELECT DISTINCT COALESCE('user:' || l.user_id, 'user:' || p.user_id, 'anon:' || p.anonymous_id) AS visitor
     FROM attribution.page_view p LEFT JOIN attribution.identity_link l ON l.anonymous_id = p.anonymous_id
     WHERE p.occurred_at >= $1 AND p.occurred_at < $2`,
    [from, to],
  );
  const { rows: buyers } = await db.query<{ user_id: string }>(
    `SELECT DISTINCT o.user_id FROM attribution.orders o JOIN attribution.conversion c USING (order_id)
     WHERE o.user_id IS NOT NULL AND c.purchased_at >= $1 AND c.purchased_at < $2`,
    [from, to],
  );
  for (const buyer of buyers) converted.add(`user:${buyer.user_id}`);
  for (const { visitor } of visitors) {
    if (converted.has(visitor)) continue;
    const { rows: views } = await db.query<{
      message_id: string;
      click_id: string | null;
      utm_campaign: string | null;
      occurred_at: Date;
      link_id: string | null;
      affiliate_id: string | null;
      campaign: string | null;
      bot: boolean | null;
      claimed: boolean;
    }>(
      `SELECT p.message_id, p.click_id, p.utm_campaign, p.occurred_at, k.link_id, k.affiliate_id,
              k.campaign, k.bot,
              (cc.visitor IS NOT NULL AND cc.visitor IN ('anon:' || p.anonymous_id, 'user:' || p.user_id)) AS claimed
       FROM attribution.page_view p
       LEFT JOIN attribution.identity_link l ON l.anonymous_id = p.anonymous_id
       LEFT JOIN attribution.click k ON k.click_id = p.click_id
       LEFT JOIN attribution.click_claim cc ON cc.click_id = p.click_id
       WHERE COALESCE('user:' || l.user_id, 'user:' || p.user_id, 'anon:' || p.anonymous_id) = $1
         AND p.occurred_at >= $2 AND p.occurred_at < $3
       ORDER BY p.occurred_at, p.message_id LIMIT 1000`,
      [visitor, from, to],
    );
    const channels: string[] = [];
    for (const view of views) {
      if (view.click_id) {
        if (view.claimed && view.link_id && view.bot === false) {
          channels.push(
            channelOf({
              affiliateId: view.affiliate_id,
              campaign: view.campaign,
              linkId: view.link_id,
            }),
          );
        }
      } else if (view.utm_campaign) {
        channels.push(channelOf({ affiliateId: null, campaign: view.utm_campaign, linkId: null }));
      }
    }
    if (channels.length > 0) paths.push({ channels, converted: false });
  }
  return paths;
}

/**
 * Runs re-score jobs in this process, a batch of 200 conversions at a time, progress written
 * after each batch. A job left `running` by an instance that went away is picked up again by
 * `get` once it has not moved for `staleMs` (results are upserts, so a batch done twice is harmless).
 */
export function createRescoreRunner(options: {
  db: Database;
  log: Logger;
  settings: ScoringSettings;
  dataDrivenPeriodDays: number;
  clock: () => Date;
  staleMs?: number;
}): RescoreRunner {
  const { db, log, settings, clock } = options;
  const running = new Map<string, Promise<void>>();

  async function run(job: RescoreJob): Promise<void> {
    let weights: Map<string, number> | undefined;
    if (job.model === 'data_driven') {
      const pathsFrom = new Date(job.to.getTime() - options.dataDrivenPeriodDays * DAY_MS);
      weights = removalEffects(
        await channelPaths(db, pathsFrom < job.from ? pathsFrom : job.from, job.to, settings),
      ).weights;
    }
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await db.query<{
        order_id: string;
        amount: number;
        currency: string;
        purchased_at: Date;
      }>(
        `SELECT order_id, amount, currency, purchased_at FROM attribution.conversion
         WHERE status <> 'mismatched' AND purchased_at >= $1 AND purchased_at < $2 AND order_id > $3
         ORDER BY order_id LIMIT ${BATCH}`,
        [job.from, job.to, after],
      );
      if (rows.length === 0) break;
      await db.transaction(async (tx) => {
        for (const row of rows) {
          const order = await findOrder(tx, row.order_id);
          if (!order) continue;
          const credits = await computeCredits(
            tx,
            order,
            Number(row.amount),
            row.purchased_at,
            settings,
            job.model,
            weights,
          );
          await tx.query(
            `INSERT INTO attribution.rescore_result (job_id, order_id, amount, currency, credits)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (job_id, order_id) DO UPDATE SET credits = excluded.credits`,
            [
              job.jobId,
              row.order_id,
              Number(row.amount),
              row.currency.trim(),
              JSON.stringify(
                credits.map((c) => ({
                  touchpointId: c.touchpointId,
                  affiliateId: c.affiliateId,
                  campaign: c.campaign,
                  linkId: c.linkId,
                  touchedAt: c.touchedAt.toISOString(),
                  credit: c.credit,
                  commission: c.commission,
                  rateBasisPoints: c.rateBp,
                })),
              ),
            ],
          );
        }
        await tx.query(
          `UPDATE attribution.rescore_job SET processed = (SELECT count(*) FROM attribution.rescore_result WHERE job_id = $1),
             updated_at = $2 WHERE job_id = $1`,
          [job.jobId, clock()],
        );
      });
      after = (rows[rows.length - 1] as { order_id: string }).order_id;
    }
    await db.query(
      `UPDATE attribution.rescore_job SET status = 'done', updated_at = $2 WHERE job_id = $1`,
      [job.jobId, clock()],
    );
  }

  function launch(job: RescoreJob) {
    if (running.has(job.jobId)) return;
    const work = run(job)
      .catch(async (error: unknown) => {
        log.error({ err: error, jobId: job.jobId }, 'a re-score job failed');
        await db
          .query(
            `UPDATE attribution.rescore_job SET status = 'failed', error = $2, updated_at = $3 WHERE job_id = $1`,
            [job.jobId, 'the job failed; see the logs of attribution for its id', clock()],
          )
          .catch(() => {});
      })
      .finally(() => running.delete(job.jobId));
    running.set(job.jobId, work);
  }

  return {
    async start(input) {
      const now = clock();
      const { rows } = await db.query<{ total: number }>(
        `SELECT count(*)::int AS total FROM attribution.conversion
         WHERE status <> 'mismatched' AND purchased_at >= $1 AND purchased_at < $2`,
        [input.from, input.to],
      );
      const { rows: created } = await db.query<Record<string, unknown>>(
        `INSERT INTO attribution.rescore_job (job_id, model, period_from, period_to, status, total, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $7) RETURNING *`,
        [
          newId(),
          input.model,
          input.from,
          input.to,
          Number(rows[0]?.total ?? 0),
          input.createdBy,
          now,
        ],
      );
      const job = toJob(created[0] as Record<string, unknown>);
      launch(job);
      return job;
    },
    async get(jobId) {
      const { rows } = await db.query<Record<string, unknown>>(
        'SELECT * FROM attribution.rescore_job WHERE job_id = $1',
        [jobId],
      );
      const job = rows[0] && toJob(rows[0]);
      if (
        job?.status === 'running' &&
        clock().getTime() - job.updatedAt.getTime() > (options.staleMs ?? 60_000)
      ) {
        launch(job);
      }
      return job;
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
  };
}
