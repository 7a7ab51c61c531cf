import { type EventCatalog, type EventDefinition, eventJsonSchema } from '@shop/shared';

const GENERATED_NOTE =
  '<!-- Generated from eventing/src/catalog by `npm run docs -w @shop/eventing`; do not edit. -->';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const anchor = (type: string) => type.toLowerCase().replace(/[^a-z0-9_ -]/g, '');
/** A Markdown table with padded columns, as Biome formats it. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) =>
    Math.max(3, title.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((text, i) => text.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const byType = (catalog: EventCatalog): EventDefinition[] =>
  Object.values(catalog).sort((a, b) => a.type.localeCompare(b.type));

/**
 * EVENTS.md: a table of every event type, then each type's JSON Schema.
 * @example await writeFile('EVENTS.md', renderEventsMarkdown(eventCatalog));
 */
export function renderEventsMarkdown(catalog: EventCatalog): string {
  const definitions = byType(catalog);
  const lines = [
    '# Events',
    '',
    GENERATED_NOTE,
    '',
    'Every event below passes the Knative broker as a CloudEvent 1.0 in binary content mode:',
    '`source` is `/shop/<producer>`, `id` a UUIDv7 (for outbox events the outbox row id),',
    '`datacontenttype` is `application/json`, `dataschema` the URI of the schema below, and the',
    '`partitionkey` extension (the Kafka record key) is the value of the partition key field, so',
    'events about the same thing arrive in order. Consumers dedupe on `source` + `id`: delivery',
    'is at least once. Money is `{ amount, currency }` in integer minor units; times are ISO-8601',
    'with an offset. The Triggers in `knative/` decide who receives what; the consumers listed',
    'here are the design they implement.',
    '',
    'Analytics (Segment-compatible `track`, `page`, `identify`) do not pass the broker:',
    'analytics-ingest writes them in batches straight to a Kafka topic, so they are not in this',
    'catalog.',
    '',
    ...table(
      ['Type', 'Producer', 'Consumers', 'Partition key', 'Description'],
      definitions.map((d) => [
        `[\`${d.type}\`](#${anchor(d.type)})`,
        d.producer,
        d.consumers.join(', '),
        `\`${d.partitionKey}\``,
        cell(d.description),
      ]),
    ),
  ];
  for (const d of definitions) {
    lines.push(
      '',
      `## ${d.type}`,
      '',
      d.description,
      '',
      `- Producer: ${d.producer}`,
      `- Consumers: ${d.consumers.join(', ')}`,
      `- Partition key: \`data.${d.partitionKey}\``,
      `- Data schema: ${d.dataschema}`,
      '',
      '```json',
      JSON.stringify(eventJsonSchema(d), null, 2),
      '```',
    );
  }
  return `${lines.join('\n')}\n`;
}

const CE_HEADERS = (d: EventDefinition) => ({
  type: 'object',
  required: ['ce-specversion', 'ce-id', 'ce-source', 'ce-type'],
  properties: {
    'ce-specversion': { type: 'string', const: '1.0' },
    'ce-id': { type: 'string', description: 'Unique per source; consumers dedupe on it.' },
    'ce-source': { type: 'string', const: `/shop/${d.producer}` },
    'ce-type': { type: 'string', const: d.type },
    'ce-time': { type: 'string', format: 'date-time' },
    'ce-subject': { type: 'string' },
    'ce-dataschema': { type: 'string', const: d.dataschema },
    'ce-partitionkey': {
      type: 'string',
      description: `The Kafka record key: data.${d.partitionKey}.`,
    },
    'ce-traceparent': { type: 'string', description: 'W3C trace context of the producer.' },
    'content-type': { type: 'string', const: 'application/json' },
  },
});

/**
 * An AsyncAPI 3.0 document of the catalog: one channel and message per event type, the
 * producer's `send` and the consumers' `receive` operations, data as JSON Schema draft-07.
 */
export function renderAsyncApi(catalog: EventCatalog): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const d of byType(catalog)) {
    const { definitions, ...schema } = eventJsonSchema(d, { target: 'draft-7' });
    Object.assign(schemas, definitions ?? {});
    // Shared definitions move to components.schemas, so their refs follow them there.
    const payload = JSON.parse(
      JSON.stringify(schema).replaceAll('"#/definitions/', '"#/components/schemas/'),
    ) as Record<string, unknown>;
    messages[d.type] = {
      name: d.type,
      title: d.type,
      summary: d.description,
      contentType: 'application/json',
      headers: CE_HEADERS(d),
      payload: { schemaFormat: 'application/schema+json;version=draft-07', schema: payload },
      bindings: { http: { bindingVersion: '0.3.0' } },
    };
    channels[d.type] = {
      address: null,
      title: d.type,
      description: `Events of type ${d.type}, routed by Triggers filtering on that type.`,
      messages: { [d.type]: { $ref: `#/components/messages/${d.type}` } },
    };
    operations[`${d.type}.send`] = {
      action: 'send',
      title: `${d.producer} publishes ${d.type}`,
      channel: { $ref: `#/channels/${d.type}` },
      messages: [{ $ref: `#/channels/${d.type}/messages/${d.type}` }],
      'x-producer': d.producer,
    };
    operations[`${d.type}.receive`] = {
      action: 'receive',
      title: `${d.consumers.join(', ')} receive ${d.type}`,
      channel: { $ref: `#/channels/${d.type}` },
      messages: [{ $ref: `#/channels/${d.type}/messages/${d.type}` }],
      'x-consumers': [...d.consumers],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Shop platform events',
      version: '1.0.0',
      description:
        'CloudEvents 1.0 (binary content mode) published to the Knative Kafka broker ingress and delivered by Triggers. Generated from eventing/src/catalog; do not edit.',
    },
    defaultContentType: 'application/json',
    servers: {
      broker: {
        host: 'kafka-broker-ingress.knative-eventing.svc.cluster.local',
        pathname: '/shop/default',
        protocol: 'http',
        description: 'Ingress of the Knative Kafka broker (K_SINK of every function).',
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}
