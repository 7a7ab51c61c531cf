// One consumer group's dispatcher: what the Kafka broker's data plane does per egress
// (ConsumerVerticle + RecordDispatcherImpl + OffsetManager), for a Trigger of a Broker and for
// a KafkaSource alike — the same verticles run both in Knative.
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
import { type BrokerEvent, InvalidEventError, parseReply, withExtensions } from './cloudevent.js';
import { deadLetterEvent, type EgressConfig, sendWithRetries } from './delivery.js';
import type { EventFilter } from './filters.js';
import type { BrokerMetrics } from './metrics.js';
import { PartitionOffsets } from './offsets.js';

/** What a consumer group delivers to, everything resolved: a Trigger or a KafkaSource. */
export interface ResolvedEgress {
  namespace: string;
  name: string;
  kind: 'Trigger' | 'KafkaSource';
  /** The subscriber (a Trigger's) or sink (a KafkaSource's) URL. */
  subscriber: string;
  egress: EgressConfig;
  /** `kafka.eventing.knative.dev/delivery.order: ordered` (Trigger), `spec.ordering` (KafkaSource). */
  ordered: boolean;
  /** One per topic it reads. */
  consumerGroup: string;
  /** The `trigger` label of the dispatch metrics: the Trigger's name, `kafkasource/<name>`. */
  metricLabel: string;
  /**
   * With `authentication-oidc`: a token of the resource's OIDC identity for an audience, and the
   * audiences of its subscriber and dead-letter sink (none: no token is sent, as in Knative).
   */
  oidc?: {
    token: (audience: string) => string;
    subscriberAudience?: string;
    deadLetterAudience?: string;
  };
}

/** A Trigger as the dispatcher runs it. */
export interface ResolvedTrigger extends ResolvedEgress {
  kind: 'Trigger';
  /** `<namespace>/<broker>` of the Broker it subscribes to. */
  broker: string;
  filter: EventFilter;
}

export interface DispatcherOptions {
  kafka: KafkaClient;
  topic: string;
  target: ResolvedEgress;
  /** Where a new consumer group starts: `latest` for a Trigger, the KafkaSource's initialOffset. */
  startAt: 'latest' | 'earliest';
  /**
   * The CloudEvent of a record; throws {@link InvalidEventError} for one to discard (a Trigger's
   * records must be CloudEvents; a KafkaSource wraps any record).
   */
  eventOf: (record: ConsumedRecord) => BrokerEvent;
  /** Events it does not pass are filtered out (committed, not delivered); default all pass. */
  filter?: EventFilter;
  /**
   * The broker's write path, for events subscribers reply with; without it replies are discarded
   * and any 2xx is a success (a KafkaSource's `NoReply`).
   */
  reply?: (event: BrokerEvent) => Promise<void>;
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
 * Consumes a topic in a consumer group and delivers each matching event to the subscriber
 * (a Trigger's on the broker topic, a KafkaSource's sink on one of its topics): unordered (up to `maxInFlight` at once) or ordered per partition (the
 * next record waits for the previous one's whole delivery, retries and dead letter included).
 * Offsets are committed in order, only once a record is delivered, dead-lettered or dropped.
 */
export class Dispatcher {
  readonly #options: DispatcherOptions;
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

  constructor(options: DispatcherOptions) {
    this.#options = options;
    const { target } = options;
    this.#log = options.log.child({
      [target.kind === 'Trigger' ? 'trigger' : 'kafkaSource']: `${target.namespace}/${target.name}`,
    });
    this.#slots = new Slots(options.maxInFlight);
    this.#group = options.kafka.consumerGroup({
      groupId: target.consumerGroup,
      topic: options.topic,
      startAt: options.startAt,
      maxBatchRecords: 500,
    });
  }

  /** Joins the consumer group; a new group starts where `startAt` says. */
  async start(): Promise<void> {
    await this.#group.run({
      onBatch: (batch) =>
        this.#options.target.ordered ? this.#enqueue(batch) : this.#dispatchUnordered(batch),
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
   * filter passes is delivered in a span of the broker's, continued from the span that wrote the
   * record (its `traceparent` header) or else from the event's starting trace.
   */
  async #handle(record: ConsumedRecord): Promise<boolean> {
    const { target, metrics, filter } = this.#options;
    const labels = { namespace: target.namespace, trigger: target.metricLabel };
    let event: BrokerEvent;
    try {
      event = this.#options.eventOf(record);
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
    // CloudEventOverridesMutator: the record's place, on every event it dispatches.
    event = withExtensions(event, {
      knativekafkapartition: String(record.partition),
      knativekafkaoffset: record.offset,
    });
    if (filter && !filter(event)) {
      metrics.dispatched.inc({ ...labels, outcome: 'filtered' });
      return true;
    }
    const written = record.headers.traceparent?.toString('utf8') ?? event.attributes.traceparent;
    const resource = `${target.namespace}/${target.name}`;
    return inSpan(
      `deliver ${resource}`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextOf(written),
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': record.topic,
          'messaging.destination.partition.id': String(record.partition),
          'messaging.kafka.offset': Number(record.offset),
          'messaging.consumer.group.name': target.consumerGroup,
          'messaging.message.id': event.attributes.id ?? '',
          'cloudevents.event_type': event.attributes.type ?? '',
          [`knative.${target.kind.toLowerCase()}`]: resource,
          'url.full': target.subscriber,
        },
      },
      () => this.#deliverEvent(event),
    );
  }

  /** Delivers a filtered event, else dead-letters or drops it as its delivery spec says. */
  async #deliverEvent(event: BrokerEvent): Promise<boolean> {
    const { target, metrics } = this.#options;
    const labels = { namespace: target.namespace, trigger: target.metricLabel };
    const delivered = await this.#deliver(
      target.subscriber,
      event,
      target.oidc?.subscriberAudience,
    );
    if (delivered === 'aborted') return false;
    if (delivered.ok) {
      metrics.dispatched.inc({ ...labels, outcome: 'delivered' });
      return true;
    }
    const context = {
      id: event.attributes.id,
      type: event.attributes.type,
      subscriber: target.subscriber,
      status: delivered.failure?.status,
      reason: delivered.reason,
    };
    if (!target.egress.deadLetter) {
      this.#log.warn(context, 'delivery failed and there is no dead-letter sink; event dropped');
      metrics.dropped.inc({ ...labels, reason: 'no_dead_letter_sink' });
      return true;
    }
    const dead = deadLetterEvent(event, target.subscriber, delivered.failure);
    const dlsDelivered = await this.#deliver(
      target.egress.deadLetter,
      dead,
      target.oidc?.deadLetterAudience,
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
        deadLetterSink: target.egress.deadLetter,
        deadLetterReason: dlsDelivered.reason,
      },
      'delivery to the dead-letter sink failed too; event dropped',
    );
    metrics.dropped.inc({ ...labels, reason: 'dead_letter_failed' });
    return true;
  }

  /**
   * Sends with retries, then handles the answer as ResponseToKafkaTopicHandler (Trigger) or
   * NoopResponseHandler (KafkaSource) does.
   */
  async #deliver(url: string, event: BrokerEvent, audience?: string): Promise<Delivered> {
    const { target } = this.#options;
    const oidc = target.oidc;
    const outcome = await sendWithRetries(url, event, target.egress, {
      namespace: target.namespace,
      signal: this.#abort.signal,
      ...(oidc && audience && { token: () => oidc.token(audience) }),
    });
    if (outcome.kind === 'aborted') return 'aborted';
    if (outcome.kind === 'error') return { ok: false, reason: outcome.error.message };
    if (outcome.status >= 300) {
      return { ok: false, failure: outcome, reason: `status ${outcome.status}` };
    }
    // NoopResponseHandler: without a reply path any 2xx is a success, whatever its body.
    const write = this.#options.reply;
    if (!write) return { ok: true };
    const reply = parseReply(outcome.headers, outcome.body);
    if (reply.kind === 'none') return { ok: true };
    if (reply.kind === 'invalid') return { ok: false, reason: reply.reason };
    try {
      await write(reply.event);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: `reply not written: ${(error as Error).message}` };
    }
  }
}
