// One Trigger's consumer: what the Kafka broker's dispatcher does per egress
// (ConsumerVerticle + RecordDispatcherImpl + OffsetManager).
import { SpanKind } from '@opentelemetry/api';
import {
  type ConsumedRecord,
  type ConsumerGroup,
  contextOf,
  inSpan,
  type KafkaClient,
  type Logger,
  type RecordBatch,
} from '@shop/shared';
import {
  type BrokerEvent,
  fromKafkaRecord,
  InvalidEventError,
  parseReply,
  withExtensions,
} from './cloudevent.js';
import { deadLetterEvent, type EgressConfig, sendWithRetries } from './delivery.js';
import type { EventFilter } from './filters.js';
import type { BrokerMetrics } from './metrics.js';
import { PartitionOffsets } from './offsets.js';

/** A Trigger as the dispatcher runs it: everything resolved. */
export interface ResolvedTrigger {
  namespace: string;
  name: string;
  /** `<namespace>/<broker>` of the Broker it subscribes to. */
  broker: string;
  /** The subscriber URL. */
  subscriber: string;
  filter: EventFilter;
  egress: EgressConfig;
  /** `kafka.eventing.knative.dev/delivery.order: ordered`. */
  ordered: boolean;
  /** `knative-trigger-<namespace>-<name>`. */
  consumerGroup: string;
  /**
   * With `authentication-oidc`: a token of the Trigger's OIDC identity for an audience, and the
   * audiences of its subscriber and dead-letter sink (none: no token is sent, as in Knative).
   */
  oidc?: {
    token: (audience: string) => string;
    subscriberAudience?: string;
    deadLetterAudience?: string;
  };
}

export interface TriggerDispatcherOptions {
  kafka: KafkaClient;
  topic: string;
  trigger: ResolvedTrigger;
  /** The broker's write path, for events subscribers reply with. */
  reply: (event: BrokerEvent) => Promise<void>;
  log: Logger;
  metrics: BrokerMetrics;
  /** Unordered deliveries in flight at most (Knative bounds them by `max.poll.records`, 50). */
  maxInFlight: number;
  /** Milliseconds between offset commits (default 200). */
  commitIntervalMs?: number;
}

type Delivered =
  | 'aborted'
  | { ok: true }
  | { ok: false; failure?: { status: number; headers: Headers; body: Buffer }; reason: string };

/** Counts free slots of in-flight deliveries; waiting acquirers queue in order. */
class Slots {
  #free: number;
  readonly #waiters: ((ok: boolean) => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  release(): void {
    const next = this.#waiters.shift();
    if (next) next(true);
    else this.#free++;
  }
  cancelWaiters(): void {
    for (const waiter of this.#waiters.splice(0)) waiter(false);
  }
}

/** Records of one partition waiting for ordered delivery; the head is being delivered. */
interface PartitionQueue {
  records: ConsumedRecord[];
  running: boolean;
}

/**
 * Consumes the broker topic in the Trigger's consumer group and delivers each matching event
 * to the subscriber: unordered (up to `maxInFlight` at once) or ordered per partition (the
 * next record waits for the previous one's whole delivery, retries and dead letter included).
 * Offsets are committed in order, only once a record is delivered, dead-lettered or dropped.
 */
export class TriggerDispatcher {
  readonly #options: TriggerDispatcherOptions;
  readonly #log: Logger;
  readonly #group: ConsumerGroup;
  readonly #offsets = new Map<number, PartitionOffsets>();
  readonly #queues = new Map<number, PartitionQueue>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  readonly #slots: Slots;
  #commitTimer: NodeJS.Timeout | undefined;
  #committing: Promise<void> | undefined;
  #stopping = false;

  constructor(options: TriggerDispatcherOptions) {
    this.#options = options;
    this.#log = options.log.child({
      trigger: `${options.trigger.namespace}/${options.trigger.name}`,
    });
    this.#slots = new Slots(options.maxInFlight);
    this.#group = options.kafka.consumerGroup({
      groupId: options.trigger.consumerGroup,
      topic: options.topic,
      startAt: 'latest',
      maxBatchRecords: 500,
    });
  }

  /** Joins the consumer group; new groups start at the latest offset. */
  async start(): Promise<void> {
    await this.#group.run({
      onBatch: (batch) =>
        this.#options.trigger.ordered ? this.#enqueue(batch) : this.#dispatchUnordered(batch),
      onAssigned: () => this.#dropQueued(),
    });
  }

  /**
   * Stops consuming: deliveries in flight are aborted and stay uncommitted (they are delivered
   * again by the next consumer of the group), finished ones are committed.
   */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#abort.abort();
    this.#slots.cancelWaiters();
    await Promise.allSettled([...this.#tasks]);
    clearTimeout(this.#commitTimer);
    await this.#committing;
    await this.#flush();
    await this.#group.stop();
  }

  #offsetsOf(partition: number): PartitionOffsets {
    let offsets = this.#offsets.get(partition);
    if (!offsets) {
      offsets = new PartitionOffsets();
      this.#offsets.set(partition, offsets);
    }
    return offsets;
  }

  #track(work: Promise<void>): void {
    const settled = work.catch((error: unknown) => {
      this.#log.error({ err: error }, 'dispatch failed');
    });
    this.#tasks.add(settled);
    void settled.then(() => this.#tasks.delete(settled));
  }

  async #dispatchUnordered(batch: RecordBatch): Promise<void> {
    const offsets = this.#offsetsOf(batch.partition);
    for (const record of batch.records) {
      if (this.#stopping || !(await this.#slots.acquire(this.#abort.signal))) return;
      if (this.#stopping) {
        // A slot freed while stopping: the record stays untaken and comes again later.
        this.#slots.release();
        return;
      }
      const offset = BigInt(record.offset);
      offsets.take(offset);
      this.#track(
        this.#handle(record)
          .then((finished) => {
            if (finished) this.#finish(offsets, offset);
          })
          .finally(() => this.#slots.release()),
      );
    }
  }

  async #enqueue(batch: RecordBatch): Promise<void> {
    if (this.#stopping) return;
    const offsets = this.#offsetsOf(batch.partition);
    let queue = this.#queues.get(batch.partition);
    if (!queue) {
      queue = { records: [], running: false };
      this.#queues.set(batch.partition, queue);
    }
    for (const record of batch.records) {
      offsets.take(BigInt(record.offset));
      queue.records.push(record);
    }
    // Like OrderedConsumerVerticle: a partition whose queue is busy is paused, the others go on.
    this.#group.pause([batch.partition]);
    if (!queue.running) this.#track(this.#drain(batch.partition, queue, offsets));
  }

  async #drain(partition: number, queue: PartitionQueue, offsets: PartitionOffsets): Promise<void> {
    queue.running = true;
    try {
      while (queue.records.length > 0 && !this.#stopping) {
        const record = queue.records[0]!;
        const finished = await this.#handle(record).catch((error: unknown) => {
          this.#log.error({ err: error }, 'dispatch failed');
          return false;
        });
        if (!finished) break;
        queue.records.shift();
        this.#finish(offsets, BigInt(record.offset));
      }
    } finally {
      queue.running = false;
    }
    if (!this.#stopping) this.#group.resume([partition]);
  }

  /** After a (re)join the group fetches from the committed offsets again: drop what is queued. */
  #dropQueued(): void {
    for (const [partition, queue] of this.#queues) {
      const dropped = queue.records.splice(queue.running ? 1 : 0);
      if (dropped.length > 0) {
        this.#offsetsOf(partition).abandon(dropped.map((r) => BigInt(r.offset)));
      }
    }
  }

  #finish(offsets: PartitionOffsets, offset: bigint): void {
    offsets.finish(offset);
    this.#scheduleCommit();
  }

  #scheduleCommit(): void {
    if (this.#commitTimer || this.#stopping) return;
    this.#commitTimer = setTimeout(() => {
      this.#commitTimer = undefined;
      if (this.#committing) {
        this.#scheduleCommit();
        return;
      }
      this.#committing = this.#flush().finally(() => {
        this.#committing = undefined;
      });
    }, this.#options.commitIntervalMs ?? 200);
  }

  /** Commits, per partition, the highest contiguous finished offset + 1. */
  async #flush(): Promise<void> {
    const commits: { partition: number; offset: bigint; offsets: PartitionOffsets }[] = [];
    for (const [partition, offsets] of this.#offsets) {
      const offset = offsets.toCommit();
      if (offset !== undefined) commits.push({ partition, offset, offsets });
    }
    if (commits.length === 0) return;
    try {
      await this.#group.commit(
        commits.map(({ partition, offset }) => ({ partition, offset: offset.toString() })),
      );
      for (const { offset, offsets } of commits) offsets.committed(offset);
    } catch (error) {
      this.#log.warn({ err: error }, 'offset commit failed; will retry');
      this.#scheduleCommit();
    }
  }

  /**
   * Delivers one record; resolves false when aborted (the record stays unfinished). A record the
   * Trigger's filter passes is delivered in a span of the broker's, continued from the span that
   * wrote the record (its `traceparent` header) or else from the event's starting trace.
   */
  async #handle(record: ConsumedRecord): Promise<boolean> {
    const { trigger, metrics } = this.#options;
    const labels = { namespace: trigger.namespace, trigger: trigger.name };
    let event: BrokerEvent;
    try {
      event = fromKafkaRecord(record);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      // RecordDispatcherImpl discards records that are not CloudEvents to keep the partition going.
      this.#log.error(
        { partition: record.partition, offset: record.offset, reason: error.message },
        'discarding a record that is not a valid CloudEvent',
      );
      metrics.dropped.inc({ ...labels, reason: 'invalid_record' });
      return true;
    }
    event = withExtensions(event, {
      knativekafkapartition: String(record.partition),
      knativekafkaoffset: record.offset,
    });
    if (!trigger.filter(event)) {
      metrics.dispatched.inc({ ...labels, outcome: 'filtered' });
      return true;
    }
    const written = record.headers.traceparent?.toString('utf8') ?? event.attributes.traceparent;
    return inSpan(
      `deliver ${trigger.namespace}/${trigger.name}`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextOf(written),
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': record.topic,
          'messaging.destination.partition.id': String(record.partition),
          'messaging.kafka.offset': Number(record.offset),
          'messaging.consumer.group.name': trigger.consumerGroup,
          'messaging.message.id': event.attributes.id ?? '',
          'cloudevents.event_type': event.attributes.type ?? '',
          'knative.trigger': `${trigger.namespace}/${trigger.name}`,
          'url.full': trigger.subscriber,
        },
      },
      () => this.#deliverEvent(event),
    );
  }

  /** Delivers a filtered event, else dead-letters or drops it as its delivery spec says. */
  async #deliverEvent(event: BrokerEvent): Promise<boolean> {
    const { trigger, metrics } = this.#options;
    const labels = { namespace: trigger.namespace, trigger: trigger.name };
    const delivered = await this.#deliver(
      trigger.subscriber,
      event,
      trigger.oidc?.subscriberAudience,
    );
    if (delivered === 'aborted') return false;
    if (delivered.ok) {
      metrics.dispatched.inc({ ...labels, outcome: 'delivered' });
      return true;
    }
    const context = {
      id: event.attributes.id,
      type: event.attributes.type,
      subscriber: trigger.subscriber,
      status: delivered.failure?.status,
      reason: delivered.reason,
    };
    if (!trigger.egress.deadLetter) {
      this.#log.warn(context, 'delivery failed and there is no dead-letter sink; event dropped');
      metrics.dropped.inc({ ...labels, reason: 'no_dead_letter_sink' });
      return true;
    }
    const dead = deadLetterEvent(event, trigger.subscriber, delivered.failure);
    const dlsDelivered = await this.#deliver(
      trigger.egress.deadLetter,
      dead,
      trigger.oidc?.deadLetterAudience,
    );
    if (dlsDelivered === 'aborted') return false;
    if (dlsDelivered.ok) {
      this.#log.warn(context, 'delivery failed; event sent to the dead-letter sink');
      metrics.dispatched.inc({ ...labels, outcome: 'dead_lettered' });
      return true;
    }
    this.#log.error(
      {
        ...context,
        deadLetterSink: trigger.egress.deadLetter,
        deadLetterReason: dlsDelivered.reason,
      },
      'delivery to the dead-letter sink failed too; event dropped',
    );
    metrics.dropped.inc({ ...labels, reason: 'dead_letter_failed' });
    return true;
  }

  /** Sends with retries, then handles the answer as ResponseToKafkaTopicHandler does. */
  async #deliver(target: string, event: BrokerEvent, audience?: string): Promise<Delivered> {
    const { trigger } = this.#options;
    const oidc = trigger.oidc;
    const outcome = await sendWithRetries(target, event, trigger.egress, {
      namespace: trigger.namespace,
      signal: this.#abort.signal,
      ...(oidc && audience && { token: () => oidc.token(audience) }),
    });
    if (outcome.kind === 'aborted') return 'aborted';
    if (outcome.kind === 'error') return { ok: false, reason: outcome.error.message };
    if (outcome.status >= 300) {
      return { ok: false, failure: outcome, reason: `status ${outcome.status}` };
    }
    const reply = parseReply(outcome.headers, outcome.body);
    if (reply.kind === 'none') return { ok: true };
    if (reply.kind === 'invalid') return { ok: false, reason: reply.reason };
    try {
      await this.#options.reply(reply.event);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: `reply not written: ${(error as Error).message}` };
    }
  }
}
