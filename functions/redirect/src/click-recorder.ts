// Clicks leave the redirect after its answer: buffered in memory (bounded), sent to the
// analytics Kafka topic in batches by an idempotent producer with acks from every in-sync
// replica, as binary-mode CloudEvents `shop.link.clicked` (what a KafkaSource delivers on).
// A slow or failing Kafka never slows a redirect: the buffer fills, and every click that cannot
// be kept is counted (shop_redirects_total{outcome="click_dropped"}) and logged, never silent.
// On shutdown the pending clicks are sent before the process exits (Knative drains requests,
// not background work).
import { eventCatalog, type ShopEventInput } from '@shop/eventing';
import {
  cloudEventRecord,
  type Database,
  type KafkaProducer,
  type Logger,
  newId,
  type ProducerRecord,
  producerSource,
} from '@shop/shared';
import { addDailyClicks } from './store.js';

const CLICKED = eventCatalog['shop.link.clicked'];
const SOURCE = producerSource('redirect');

/** One click as the redirect saw it. */
export interface Click {
  clickId: string;
  linkId: string;
  code: string;
  affiliateId: string | null;
  campaign: string | null;
  referrerHost: string | null;
  clickedAt: Date;
  destinationHost: string;
  visitorHash: string;
  country: string | null;
  device: 'desktop' | 'mobile' | 'tablet' | 'tv' | 'bot' | 'other';
  os: string | null;
  browser: string | null;
  bot: boolean;
  /** W3C traceparent of the redirect request, carried as the CloudEvents tracing extension. */
  traceparent?: string;
}

export interface ClickRecorderOptions {
  producer: KafkaProducer;
  topic: string;
  /** Where the per-link daily counts go once a batch is on Kafka. */
  db: Database;
  log: Logger;
  /** Called with the number of clicks that could not be kept. */
  onDropped: (count: number, reason: 'buffer_full' | 'kafka_failed' | 'invalid') => void;
  /** Clicks per Kafka request (default 500). */
  batchSize?: number;
  /** Milliseconds between sends while clicks wait (default 100): Kafka's linger. */
  lingerMs?: number;
  /** Most clicks held while Kafka is slow or away (default 10,000); more are dropped. */
  maxBuffered?: number;
  /** Milliseconds one Kafka send may take (default 10,000). */
  sendTimeoutMs?: number;
}

export interface ClickRecorder {
  /** Queues a click; never throws, never waits. */
  record(click: Click): void;
  /**
   * Runs `work` after the current answer went out (the next turn of the event loop) and queues
   * the click it resolves to, if any; `flush` and `close` wait for such work first, so a click
   * decided after its answer is neither missed by a flush nor lost at shutdown.
   */
  recordAfter(work: () => Promise<Click | undefined>): void;
  /** Sends everything queued now (after pending `recordAfter` work); resolves when the buffer is empty or Kafka failed. */
  flush(): Promise<void>;
  /** Stops the timer and sends what is pending, for at most `deadlineMs` (then counts drops). */
  close(deadlineMs?: number): Promise<void>;
  /** Clicks waiting to be sent. */
  readonly pending: number;
}

/** The Kafka record of a click: the CloudEvents Kafka binding in binary mode. */
function toRecord(click: Click): ProducerRecord {
  // Typed by the catalog's input type, not parsed per click (zod costs ~50 µs a click); the
  // tests parse what this writes against the catalog schema.
  const data: ShopEventInput<'shop.link.clicked'> = {
    clickId: click.clickId,
    linkId: click.linkId,
    code: click.code,
    affiliateId: click.affiliateId,
    campaign: click.campaign,
    referrerHost: click.referrerHost,
    clickedAt: click.clickedAt.toISOString(),
    destinationHost: click.destinationHost,
    visitorHash: click.visitorHash,
    country: click.country,
    device: click.device,
    os: click.os,
    browser: click.browser,
    bot: click.bot,
  };
  return cloudEventRecord({
    id: newId(),
    type: CLICKED.type,
    source: SOURCE,
    time: click.clickedAt.toISOString(),
    dataschema: CLICKED.dataschema,
    partitionKey: click.clickId,
    data,
    ...(click.traceparent && { traceparent: click.traceparent }),
  });
}

/** Clicks of a batch counted per link and UTC day. */
function dailyCounts(clicks: readonly Click[]) {
  const counts = new Map<
    string,
    { linkId: string; day: string; clicks: number; botClicks: number }
  >();
  for (const click of clicks) {
    const day = click.clickedAt.toISOString().slice(0, 10);
    const key = `${click.linkId}/${day}`;
    const entry = counts.get(key) ?? { linkId: click.linkId, day, clicks: 0, botClicks: 0 };
    if (click.bot) entry.botClicks += 1;
    else entry.clicks += 1;
    counts.set(key, entry);
  }
  return [...counts.values()];
}

/**
 * @example const clicks = createClickRecorder({ producer, topic: 'shop-analytics', db, log, onDropped });
 */
export function createClickRecorder(options: ClickRecorderOptions): ClickRecorder {
  const { producer, topic, db, log, onDropped } = options;
  const batchSize = options.batchSize ?? 500;
  const lingerMs = options.lingerMs ?? 100;
  const maxBuffered = options.maxBuffered ?? 10_000;
  const sendTimeoutMs = options.sendTimeoutMs ?? 10_000;
  let buffer: Click[] = [];
  let flushing: Promise<void> | undefined;
  let closed = false;
  let lastDropLog = 0;

  const drop = (count: number, reason: 'buffer_full' | 'kafka_failed' | 'invalid') => {
    onDropped(count, reason);
    // One line a second at most: a Kafka outage must not flood the log.
    const now = Date.now();
    if (now - lastDropLog >= 1_000) {
      lastDropLog = now;
      log.error({ dropped: count, reason, pending: buffer.length }, 'clicks dropped');
    }
  };

  async function sendOnce(): Promise<boolean> {
    const batch = buffer.slice(0, batchSize);
    buffer = buffer.slice(batch.length);
    const records: ProducerRecord[] = [];
    const kept: Click[] = [];
    for (const click of batch) {
      try {
        records.push(toRecord(click));
        kept.push(click);
      } catch (error) {
        log.error({ err: error, clickId: click.clickId }, 'a click does not match its schema');
        drop(1, 'invalid');
      }
    }
    if (records.length === 0) return true;
    try {
      await producer.send(topic, records, { acks: -1, timeoutMs: sendTimeoutMs });
    } catch (error) {
      log.warn(
        { err: error, clicks: kept.length },
        'the click batch was not acknowledged; kept for the next send',
      );
      // Back to the front, in order; what no longer fits is dropped and counted.
      const room = Math.max(0, maxBuffered - buffer.length);
      const requeued = kept.slice(0, room);
      if (kept.length > requeued.length) drop(kept.length - requeued.length, 'kafka_failed');
      buffer = [...requeued, ...buffer];
      return false;
    }
    await addDailyClicks(db, dailyCounts(kept)).catch((error: unknown) => {
      log.warn({ err: error }, 'per-link click counts were not updated');
    });
    return true;
  }

  // recordAfter's work not yet settled.
  const later = new Set<Promise<void>>();
  const settleLater = async () => {
    while (later.size > 0) await Promise.allSettled([...later]);
  };

  const flushBuffer = (): Promise<void> => {
    if (flushing) return flushing;
    if (buffer.length === 0) return Promise.resolve();
    const run = (async () => {
      while (buffer.length > 0) {
        if (!(await sendOnce())) break;
      }
    })();
    flushing = run.finally(() => {
      flushing = undefined;
    });
    return flushing;
  };

  const flush = async (): Promise<void> => {
    await settleLater();
    await flushBuffer();
  };

  const timer = setInterval(() => {
    if (buffer.length > 0) void flushBuffer();
  }, lingerMs);
  timer.unref();

  const record = (click: Click) => {
    if (closed || buffer.length >= maxBuffered) {
      drop(1, 'buffer_full');
      return;
    }
    buffer.push(click);
    if (buffer.length >= batchSize && !flushing) void flushBuffer();
  };

  return {
    record,
    recordAfter(work) {
      const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(work)
        .then(
          (click) => {
            if (click) record(click);
          },
          (error: unknown) => {
            log.error({ err: error }, 'the click could not be recorded');
            drop(1, 'invalid');
          },
        )
        .finally(() => later.delete(done));
      later.add(done);
    },
    flush,
    async close(deadlineMs = 10_000) {
      await settleLater();
      closed = true;
      clearInterval(timer);
      const deadline = Date.now() + deadlineMs;
      while (buffer.length > 0 && Date.now() < deadline) {
        await flushBuffer();
        if (buffer.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await flushing;
      if (buffer.length > 0) {
        drop(buffer.length, 'kafka_failed');
        buffer = [];
      }
    },
    get pending() {
      return buffer.length;
    },
  };
}
