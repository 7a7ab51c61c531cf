// CloudEvents for a consumer's /events: every type it consumes, its data from the catalog's JSON
// Schema (mostly valid, or with one mutation), attributes right or wrong, binary or structured.
import { eventCatalog, jsonSchemaFor } from '@shop/eventing';
import fc from 'fast-check';
import {
  EDGE_STRINGS,
  fuzzedValueFor,
  isSendableHeader,
  type Schema,
  type SchemaContext,
} from './arbitraries.js';

/** An HTTP message carrying one CloudEvent (or something that claims to be one). */
export interface EventMessage {
  type: string;
  headers: Record<string, string>;
  body: string;
}

const definitionOf = (type: string) =>
  eventCatalog[type as keyof typeof eventCatalog] as
    | { producer: string; dataschema: string }
    | undefined;

const odd = fc.constantFrom(...EDGE_STRINGS);
const sometimes = <T>(right: fc.Arbitrary<T>, wrong: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: wrong });

/**
 * CloudEvent messages of `type` for a consumer: attributes mostly right (source = the catalogued
 * producer, a fresh id), data from the catalog schema; binary mode about half of the time.
 * @example fc.sample(eventMessagesFor('shop.user.registered', ctx), 10)
 */
export function eventMessagesFor(type: string, ctx: SchemaContext): fc.Arbitrary<EventMessage> {
  const definition = definitionOf(type);
  const schema = jsonSchemaFor(type) as Schema;
  const catalogTypes = Object.keys(eventCatalog);
  const attributes = fc.record({
    specversion: sometimes(fc.constant('1.0'), fc.constantFrom('0.3', '', '2.0', '1')),
    id: sometimes(fc.uuid(), odd),
    source: sometimes(
      fc.constant(`/shop/${definition?.producer ?? 'unknown'}`),
      fc.oneof(
        odd,
        fc.constantFrom(...catalogTypes).map((t) => `/shop/${t}`),
      ),
    ),
    type: sometimes(fc.constant(type), fc.oneof(odd, fc.constantFrom(...catalogTypes))),
    time: sometimes(
      fc
        .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      odd,
    ),
    dataschema: fc.option(sometimes(fc.constant(definition?.dataschema ?? ''), odd), {
      nil: undefined,
    }),
    subject: fc.option(fc.oneof(fc.uuid(), odd), { nil: undefined }),
  });
  const data = fuzzedValueFor(schema, ctx);
  return fc
    .tuple(attributes, data, fc.constantFrom('binary', 'structured', 'structured-raw'))
    .map(([attrs, value, mode]) => {
      const defined = Object.fromEntries(
        Object.entries(attrs).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      if (mode === 'binary') {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        for (const [name, v] of Object.entries(defined)) {
          headers[`ce-${name}`] = isSendableHeader(v) ? v : encodeURIComponent(v.toWellFormed());
        }
        return { type, headers, body: value === undefined ? '' : JSON.stringify(value) };
      }
      const event = { ...defined, datacontenttype: 'application/json', data: value };
      const body =
        mode === 'structured' ? JSON.stringify(event) : JSON.stringify(event).slice(0, -1);
      return { type, headers: { 'content-type': 'application/cloudevents+json' }, body };
    });
}
