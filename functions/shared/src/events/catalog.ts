import { z } from 'zod';
import type { InvalidParam } from '../problem.js';

/** Where the JSON Schemas of event data live; every `dataschema` attribute starts with it. */
export const EVENT_SCHEMA_BASE_URI = 'https://schemas.shop.example/events';

const TYPE_PATTERN = /^shop\.[a-z][a-z_]*\.[a-z][a-z_]*$/;

/**
 * One event type of the platform: its CloudEvents `type`, who publishes and who subscribes,
 * and the zod schema of its `data`.
 */
export interface EventDefinition<
  Type extends string = string,
  Schema extends z.ZodObject = z.ZodObject,
> {
  /** Reverse-DNS `shop.<entity>.<past_tense_verb>`. */
  readonly type: Type;
  /** Version of the data schema; a breaking change gets a new version (and `dataschema`). */
  readonly version: number;
  readonly description: string;
  /** The function (Knative Service) that publishes it. */
  readonly producer: string;
  /** The functions whose Triggers subscribe to it. */
  readonly consumers: readonly string[];
  /** Schema of `data`, strict: unknown fields are refused. */
  readonly schema: Schema;
  /**
   * The `data` field whose value is the `partitionkey` extension (the Kafka record key), so
   * events about the same thing keep their order.
   */
  readonly partitionKey: keyof z.output<Schema> & string;
  /** The `dataschema` attribute: {@link EVENT_SCHEMA_BASE_URI}`/<type>/v<version>.json`. */
  readonly dataschema: string;
}

/** Every event type a publisher or receiver knows, by type. */
export type EventCatalog = Readonly<Record<string, EventDefinition>>;

/** The type names of a catalog. */
export type EventType<C extends EventCatalog> = keyof C & string;

/** What a consumer reads in `data` of an event type. */
export type EventData<C extends EventCatalog, T extends EventType<C>> = z.output<C[T]['schema']>;

/** What a producer passes as `data` of an event type. */
export type EventInput<C extends EventCatalog, T extends EventType<C>> = z.input<C[T]['schema']>;

/**
 * The CloudEvents `source` of everything a function publishes: `/shop/<Knative Service name>`.
 * A receiver refuses an event whose source is not its type's catalogued producer.
 * @example producerSource('conversion-webhook') === '/shop/conversion-webhook'
 */
export function producerSource(producer: string): string {
  return `/shop/${producer}`;
}

/** The stable URI of the JSON Schema of one event type's data. */
export function dataschemaUri(type: string, version = 1): string {
  return `${EVENT_SCHEMA_BASE_URI}/${type}/v${version}.json`;
}

/**
 * Declares one event type; fills in `version` (default 1) and `dataschema`.
 * @example
 * const offerArchived = defineEvent({
 *   type: 'shop.offer.archived', description: 'A product left the catalog.', producer: 'offer',
 *   consumers: ['audit'], partitionKey: 'productId',
 *   schema: z.object({ productId: z.uuid(), archivedAt: timestampSchema }).strict(),
 * });
 */
export function defineEvent<const Type extends string, Schema extends z.ZodObject>(
  definition: Omit<EventDefinition<Type, Schema>, 'version' | 'dataschema'> & {
    version?: number;
  },
): EventDefinition<Type, Schema> {
  if (!TYPE_PATTERN.test(definition.type)) {
    throw new Error(
      `event type ${definition.type} must look like shop.<entity>.<past_tense_verb>, snake_case`,
    );
  }
  if (!(definition.partitionKey in definition.schema.shape)) {
    throw new Error(
      `${definition.type}: partition key ${definition.partitionKey} is not a field of its data`,
    );
  }
  const version = definition.version ?? 1;
  return Object.freeze({
    ...definition,
    version,
    consumers: Object.freeze([...definition.consumers]),
    dataschema: dataschemaUri(definition.type, version),
  });
}

/**
 * Collects event definitions into a catalog keyed by type; refuses a type declared twice.
 * @example export const eventCatalog = defineCatalog(offerCreated, offerPriceChanged);
 */
export function defineCatalog<const Definitions extends readonly EventDefinition[]>(
  ...definitions: Definitions
): { readonly [D in Definitions[number] as D['type']]: D } {
  const catalog: Record<string, EventDefinition> = {};
  for (const definition of definitions) {
    if (catalog[definition.type]) throw new Error(`event type ${definition.type} is defined twice`);
    catalog[definition.type] = definition;
  }
  return Object.freeze(catalog) as { readonly [D in Definitions[number] as D['type']]: D };
}

/** Money in integer minor units (cents) with its ISO 4217 currency. */
export const moneySchema = z
  .object({
    amount: z.int().nonnegative(),
    currency: z.string().regex(/^[A-Z]{3}$/),
  })
  .strict()
  .meta({
    id: 'Money',
    description: 'An amount in integer minor units (e.g. cents) and its ISO 4217 currency.',
  });

/** An instant as an ISO-8601 string with `Z` or an offset, e.g. `2025-11-25T09:30:00.000Z`. */
export const timestampSchema = z.iso.datetime({ offset: true }).meta({
  id: 'Timestamp',
  description: 'An instant, ISO-8601 with Z or an offset.',
});

/** Why an event was refused before publishing or handling. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  constructor(
    readonly eventType: string,
    readonly reason: 'unknown-type' | 'invalid-data',
    message: string,
    readonly errors: InvalidParam[] = [],
  ) {
    super(message);
  }
}

/** The definition of `type`, or an {@link InvalidEventError} when the catalog does not know it. */
export function eventDefinition(catalog: EventCatalog, type: string): EventDefinition {
  const definition = Object.hasOwn(catalog, type) ? catalog[type] : undefined;
  if (!definition) {
    throw new InvalidEventError(type, 'unknown-type', `${type} is not in the event catalog`);
  }
  return definition;
}

/**
 * Checks `data` against the catalog schema of `type` and returns the parsed data.
 * @example const data = parseEventData(eventCatalog, 'shop.offer.archived', body);
 * @throws InvalidEventError naming every bad field (`data.price.amount`)
 */
export function parseEventData<C extends EventCatalog, T extends EventType<C>>(
  catalog: C,
  type: T,
  data: unknown,
): EventData<C, T> {
  const result = eventDefinition(catalog, type).schema.safeParse(data);
  if (result.success) return result.data as EventData<C, T>;
  const errors = result.error.issues.map((issue) => ({
    name: ['data', ...issue.path.map(String)].join('.'),
    reason: issue.message,
  }));
  const summary = errors.map((e) => `${e.name}: ${e.reason}`).join('; ');
  throw new InvalidEventError(
    type,
    'invalid-data',
    `${type} data is not valid: ${summary}`,
    errors,
  );
}

/**
 * The JSON Schema (draft 2020-12) of an event type's data, with `$id` = its `dataschema`.
 * @example const schema = eventJsonSchema(eventCatalog['shop.offer.archived']);
 */
export function eventJsonSchema(
  definition: EventDefinition,
  options: { target?: 'draft-2020-12' | 'draft-7' } = {},
): Record<string, unknown> {
  const generated = z.toJSONSchema(definition.schema, {
    target: options.target ?? 'draft-2020-12',
    io: 'input',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: definition.dataschema,
    title: definition.type,
    description: definition.description,
    ...rest,
  };
}
