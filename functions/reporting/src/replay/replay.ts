// Rebuilds every read model from scratch by replaying CloudEvents (structured JSON, one per
// line: what the broker's topic or a producer's outbox holds), each checked against the catalog
// exactly as /events checks it and deduplicated on source + id as /events does.
import { eventCatalog } from '@shop/eventing';
import { type Database, parseEventData, producerSource } from '@shop/shared';
import { type ReportedEventType, reportedEventTypes } from '../events.js';
import { type ProjectedEvent, projectEvent } from '../store/project.js';
import { keepZones } from '../store/zones.js';

const READ_MODELS = [
  'orders',
  'order_cancellations',
  'order_items',
  'payments',
  'refunds',
  'payment_mismatches',
  'sales',
  'refunds_counted',
  'daily_sales',
  'page_views',
  'daily_sessions',
  'tracks',
  'identities',
  'clicks',
  'conversions',
  'conversion_touchpoints',
  'conversion_reversals',
  'reversal_touchpoints',
  // Rebuilt by the erasure events the replay applies, like everything else.
  'erased_ids',
  'inbox',
];

/** What a replay did: events applied, duplicates skipped, lines refused (with why). */
export interface ReplayResult {
  applied: number;
  duplicates: number;
  refused: { line: number; reason: string }[];
}

/** Parses one line into an event the projection takes, or says why not. */
export function parseEventLine(line: string): ProjectedEvent | { refused: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { refused: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { refused: 'not a CloudEvent' };
  const event = value as Record<string, unknown>;
  const { specversion, id, source, type, data } = event;
  if (specversion !== '1.0' || typeof id !== 'string' || typeof source !== 'string' || !id) {
    return { refused: 'not a CloudEvent 1.0 (specversion, id, source)' };
  }
  if (typeof type !== 'string' || !(reportedEventTypes as readonly string[]).includes(type)) {
    return { refused: `type ${String(type)} is not one reporting consumes` };
  }
  const definition = eventCatalog[type as ReportedEventType];
  if (source !== producerSource(definition.producer)) {
    return { refused: `source ${source} is not the producer of ${type}` };
  }
  try {
    const parsed = parseEventData(eventCatalog, type as ReportedEventType, data);
    return { source, id, type: type as ReportedEventType, data: parsed } as ProjectedEvent;
  } catch (error) {
    return { refused: `data does not match the catalog: ${(error as Error).message}` };
  }
}

/**
 * Empties the read models and applies `lines` in the order given; the daily aggregates of
 * `zones` are rebuilt alongside.
 * @example await replayEvents(db, readLines(file), { zones: ['UTC'] });
 */
export async function replayEvents(
  db: Database,
  lines: AsyncIterable<string> | Iterable<string>,
  options: { zones: readonly string[]; batchSize?: number },
): Promise<ReplayResult> {
  await db.transaction(async (tx) => {
    await tx.exec(`TRUNCATE ${READ_MODELS.map((t) => `reporting.${t}`).join(', ')}`);
  });
  await keepZones(db, options.zones);
  const result: ReplayResult = { applied: 0, duplicates: 0, refused: [] };
  const batchSize = options.batchSize ?? 500;
  let batch: ProjectedEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    await db.transaction(async (tx) => {
      for (const event of events) {
        const fresh = await tx.query(
          'INSERT INTO reporting.inbox (source, id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [event.source, event.id],
        );
        if (fresh.rowCount === 0) {
          result.duplicates += 1;
          continue;
        }
        await projectEvent(tx, event);
        result.applied += 1;
      }
    });
  };
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (line.trim() === '') continue;
    const parsed = parseEventLine(line);
    if ('refused' in parsed) {
      result.refused.push({ line: number, reason: parsed.refused });
      continue;
    }
    batch.push(parsed);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return result;
}
