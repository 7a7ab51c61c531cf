import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  dataschemaUri,
  defineCatalog,
  defineEvent,
  eventJsonSchema,
  InvalidEventError,
  moneySchema,
  parseEventData,
  timestampSchema,
} from './catalog.js';

const archived = defineEvent({
  type: 'shop.thing.archived',
  description: 'A thing was archived.',
  producer: 'thing',
  consumers: ['audit'],
  partitionKey: 'thingId',
  schema: z.object({ thingId: z.uuid(), price: moneySchema, archivedAt: timestampSchema }).strict(),
});
const catalog = defineCatalog(archived);
const valid = {
  thingId: '0197a3b2-7c1e-7d4f-8a9b-1c2d3e4f5a6b',
  price: { amount: 1299, currency: 'EUR' },
  archivedAt: '2025-11-25T10:00:00.000+01:00',
};

describe('defineEvent', () => {
  it('names the data schema by type and version under one base URI', () => {
    expect(archived.version).toBe(1);
    expect(archived.dataschema).toBe(
      'https://schemas.shop.example/events/shop.thing.archived/v1.json',
    );
    expect(dataschemaUri('shop.thing.archived', 2)).toMatch(/shop\.thing\.archived\/v2\.json$/);
  });

  it('refuses types not shaped shop.<entity>.<past_tense_verb> and unknown partition keys', () => {
    const base = {
      description: 'x',
      producer: 'p',
      consumers: [],
      schema: z.object({ id: z.string() }),
    };
    expect(() => defineEvent({ ...base, type: 'thing.archived', partitionKey: 'id' })).toThrow(
      /shop\.<entity>/,
    );
    expect(() =>
      defineEvent({ ...base, type: 'shop.Thing.Archived', partitionKey: 'id' }),
    ).toThrow();
    expect(() =>
      defineEvent({ ...base, type: 'shop.thing.archived', partitionKey: 'nope' as 'id' }),
    ).toThrow(/partition key nope/);
  });

  it('refuses a catalog declaring one type twice', () => {
    expect(() => defineCatalog(archived, archived)).toThrow(/defined twice/);
  });
});

describe('parseEventData', () => {
  it('returns valid data', () => {
    expect(parseEventData(catalog, 'shop.thing.archived', valid)).toEqual(valid);
  });

  it('names every bad field, refusing unknown fields, fractional or negative money and lower-case currencies', () => {
    const bad = {
      ...valid,
      extra: true,
      price: { amount: 12.5, currency: 'eur' },
      archivedAt: '2025-11-25 10:00',
    };
    try {
      parseEventData(catalog, 'shop.thing.archived', bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEventError);
      const { reason, errors } = error as InvalidEventError;
      expect(reason).toBe('invalid-data');
      expect(errors.map((e) => e.name).sort()).toEqual([
        'data',
        'data.archivedAt',
        'data.price.amount',
        'data.price.currency',
      ]);
    }
    expect(() =>
      parseEventData(catalog, 'shop.thing.archived', {
        ...valid,
        price: { amount: -1, currency: 'EUR' },
      }),
    ).toThrow(/data.price.amount/);
  });

  it('refuses a type the catalog does not know, also inherited object keys', () => {
    expect(() => parseEventData(catalog, 'shop.thing.exploded' as never, valid)).toThrow(
      expect.objectContaining({ reason: 'unknown-type' }),
    );
    expect(() => parseEventData(catalog, 'toString' as never, valid)).toThrow(InvalidEventError);
  });
});

describe('eventJsonSchema', () => {
  it('is a draft 2020-12 schema with the dataschema as $id and money as a shared definition', () => {
    const schema = eventJsonSchema(archived);
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: archived.dataschema,
      title: 'shop.thing.archived',
      type: 'object',
      additionalProperties: false,
      required: ['thingId', 'price', 'archivedAt'],
      properties: { price: { $ref: '#/$defs/Money' } },
    });
    expect(schema.$defs).toHaveProperty('Money.properties.currency.pattern', '^[A-Z]{3}$');
  });
});
