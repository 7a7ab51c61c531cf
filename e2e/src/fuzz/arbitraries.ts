// fast-check arbitraries made from the JSON Schemas the platform publishes (OpenAPI operations,
// event data): values that mostly fit the schema, so requests get past the first check, and
// mutations of them that put one edge value, one missing or one extra field where it hurts.
import fc from 'fast-check';

/** A JSON Schema (or OpenAPI 3.x schema object) as found in the documents. */
export type Schema = Record<string, unknown>;

/** What the generators need besides a schema: `$ref` lookup and known-good values. */
export interface SchemaContext {
  resolve(ref: string): Schema | undefined;
  /** Ids that exist (products, users…), so some requests reach the handlers' deeper paths. */
  uuids: readonly string[];
  /** Strings worth trying anywhere (enum values and examples harvested from the document). */
  words: readonly string[];
}

const LONG = 'x'.repeat(10_000);

/** Strings that have broken services: control characters, lone surrogates, odd scripts, sizes. */
export const EDGE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\udbff\udfff',
  '\u202eevil\u202c',
  'שלום עולם',
  'مرحبا',
  '🙂👩‍👩‍👧‍👦🏳️‍🌈',
  'e\u0301\u0302\u0303\u0304\u0305',
  'Z̴̡̢̛̗̘̙̜̝̞̟̠͇͈͉͍͎a̸̡̢̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛̛lgo',
  '\u001b[31mred',
  '\r\n',
  '\t',
  '\u007f',
  '\u0085',
  '\u2028',
  '\ufeff',
  '\uffff',
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  '1e999',
  '-1',
  '0x1f',
  '9007199254740993',
  'true',
  'null',
  "'; DROP TABLE x; --",
  '../../etc/passwd',
  '%00',
  '%ED%A0%80',
  '<script>alert(1)</script>',
  '0000-01-01T00:00:00.000Z',
  '0000-01-01T00:00:00.000000Z',
  '-000001-01-01T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '2025-02-30T00:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  LONG,
  'é'.repeat(3000),
  '🙂'.repeat(2000),
];

/** Numbers at the edges of integer columns, safe integers and doubles. */
export const EDGE_NUMBERS: readonly number[] = [
  0,
  -1,
  1,
  0.5,
  -0.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  1e308,
  -1e308,
  5e-324,
  100_000_001,
];

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
}

/** Any JSON value a field may be replaced with. */
export const EDGE_VALUES: readonly unknown[] = [
  ...EDGE_STRINGS,
  ...EDGE_NUMBERS,
  null,
  true,
  false,
  [],
  {},
  [null],
  [LONG],
  Array.from({ length: 1000 }, (_, index) => index),
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { constructor: { prototype: { polluted: true } } },
  nested(200),
];

const MAX_DEPTH = 6;

function typesOf(schema: Schema): string[] {
  const type = schema.type;
  if (Array.isArray(type)) return type.map(String);
  return typeof type === 'string' ? [type] : [];
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function stringFor(schema: Schema, ctx: SchemaContext): fc.Arbitrary<string> {
  const minLength = numberOr(schema.minLength, 0);
  const maxLength = Math.max(minLength, Math.min(numberOr(schema.maxLength, 40), 40));
  const options: fc.Arbitrary<string>[] = [];
  switch (schema.format) {
    case 'uuid':
      return ctx.uuids.length > 0 ? fc.oneof(fc.constantFrom(...ctx.uuids), fc.uuid()) : fc.uuid();
    case 'email':
      return fc.emailAddress();
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((date) => date.toISOString());
    case 'uri':
    case 'url':
      return fc.constantFrom('https://example.com/a.jpg', 'https://cdn.example.org/x/y.png');
  }
  if (typeof schema.pattern === 'string') {
    try {
      options.push(fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= 300));
    } catch {
      // A pattern JavaScript cannot read: plain strings below.
    }
  }
  if (typeof schema.example === 'string') options.push(fc.constant(schema.example));
  options.push(fc.string({ minLength, maxLength }));
  options.push(fc.string({ minLength, maxLength, unit: 'grapheme' }));
  if (ctx.words.length > 0) options.push(fc.constantFrom(...ctx.words));
  return fc.oneof(...options);
}

/**
 * Values that mostly satisfy `schema` (bounded sizes; patterns and formats followed where
 * fast-check can), so a request built from them gets past validation some of the time.
 * @example fc.sample(valueFor({ type: 'integer', minimum: 1 }, ctx), 3) // [1, 7, 2147483647]
 */
export function valueFor(
  schema: Schema | undefined,
  ctx: SchemaContext,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (!schema || depth > MAX_DEPTH) return fc.constant(null);
  if (typeof schema.$ref === 'string') return valueFor(ctx.resolve(schema.$ref), ctx, depth + 1);
  const documented = [
    ...(Array.isArray(schema.examples) ? schema.examples : []),
    ...('example' in schema && typeof schema.example === 'object' ? [schema.example] : []),
  ];
  // A documented example is a valid value that reaches deep (a handled webhook type, say).
  const base =
    documented.length > 0
      ? fc.oneof(
          { weight: 2, arbitrary: fc.constantFrom(...documented) },
          { weight: 1, arbitrary: valueForNonNull(schema, ctx, depth) },
        )
      : valueForNonNull(schema, ctx, depth);
  return schema.nullable === true ? fc.option(base, { nil: null, freq: 5 }) : base;
}

function valueForNonNull(schema: Schema, ctx: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((alternative) => valueFor(alternative, ctx, depth + 1)));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const merged: Schema = { type: 'object', properties: {}, required: [] };
    for (const part of schema.allOf as Schema[]) {
      const resolved = typeof part.$ref === 'string' ? (ctx.resolve(part.$ref) ?? {}) : part;
      Object.assign(merged.properties as Schema, resolved.properties ?? {});
      (merged.required as string[]).push(...((resolved.required as string[]) ?? []));
    }
    return valueFor(merged, ctx, depth + 1);
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if ('const' in schema) return fc.constant(schema.const);
  const types = typesOf(schema);
  if (types.length > 1) {
    return fc.oneof(...types.map((type) => valueFor({ ...schema, type }, ctx, depth + 1)));
  }
  switch (types[0]) {
    case 'string':
      return stringFor(schema, ctx);
    case 'integer': {
      const min = Math.max(numberOr(schema.minimum, -(2 ** 31)), -(2 ** 53 - 1));
      const max = Math.min(numberOr(schema.maximum, 2 ** 31), 2 ** 53 - 1);
      return fc.oneof(
        fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) }),
        fc.constantFrom(Math.ceil(min), Math.floor(Math.max(min, max))),
      );
    }
    case 'number':
      return fc.double({
        min: numberOr(schema.minimum, -1e9),
        max: numberOr(schema.maximum, 1e9),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minItems = numberOr(schema.minItems, 0);
      const maxItems = Math.max(minItems, Math.min(numberOr(schema.maxItems, 3), minItems + 3));
      return fc.array(valueFor(schema.items as Schema, ctx, depth + 1), {
        minLength: minItems,
        maxLength: maxItems,
      });
    }
    case 'object':
      return objectFor(schema, ctx, depth);
    default:
      return schema.properties ? objectFor(schema, ctx, depth) : fc.jsonValue({ maxDepth: 2 });
  }
}

function objectFor(schema: Schema, ctx: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const keys = Object.keys(properties);
  if (keys.length === 0)
    return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), {
      maxKeys: 3,
    });
  const fields = Object.fromEntries(
    keys.map((key) => [key, valueFor(properties[key], ctx, depth + 1)]),
  );
  return fc.record(fields, { requiredKeys: keys.filter((key) => required.has(key)) });
}

/** One change to a generated value: where (an index into its nodes) and what. */
export interface Mutation {
  at: number;
  kind: 'replace' | 'delete' | 'extra' | 'wrap';
  edge: unknown;
}

/** Arbitrary mutations, edge values first in shrinking order. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'extra', 'wrap'),
  edge: fc.constantFrom(...EDGE_VALUES),
});

type Slot = { parent: Record<string, unknown> | unknown[] | null; key: string | number };

function slotsOf(value: unknown, parent: Slot['parent'], key: Slot['key'], out: Slot[]): void {
  out.push({ parent, key });
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      slotsOf(item, value, index, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      slotsOf(v, value as Record<string, unknown>, k, out);
  }
}

/**
 * `value` with one mutation applied (a deep copy; the root may be replaced).
 * @example mutate({ a: 1 }, { at: 1, kind: 'replace', edge: '\u0000' }) // { a: '\u0000' }
 */
export function mutate(value: unknown, mutation: Mutation): unknown {
  const root = { value: structuredClone(value) as unknown };
  const slots: Slot[] = [];
  slotsOf(root.value, root as unknown as Record<string, unknown>, 'value', slots);
  const slot = slots[mutation.at % slots.length] as Slot;
  const container = slot.parent as Record<string | number, unknown>;
  const current = container[slot.key];
  switch (mutation.kind) {
    case 'replace':
      container[slot.key] = mutation.edge;
      break;
    case 'delete':
      if (Array.isArray(container)) container.splice(slot.key as number, 1);
      else if (slot.parent === (root as unknown)) root.value = undefined;
      else delete container[slot.key];
      break;
    case 'extra':
      if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
        (current as Record<string, unknown>).unexpectedField = mutation.edge;
      } else container[slot.key] = mutation.edge;
      break;
    case 'wrap':
      container[slot.key] = [current];
      break;
  }
  return root.value;
}

/**
 * A value for `schema`: as generated (about a third) or with one to three mutations.
 * @example fc.sample(fuzzedValueFor(schema, ctx), 25)
 */
export function fuzzedValueFor(
  schema: Schema | undefined,
  ctx: SchemaContext,
): fc.Arbitrary<unknown> {
  const valid = valueFor(schema, ctx);
  const mutations = fc.array(mutationArb, { minLength: 1, maxLength: 3 });
  return fc.oneof(
    { weight: 1, arbitrary: valid },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, mutations).map(([value, list]) => list.reduce(mutate, value)),
    },
  );
}

/**
 * Percent-encodes any string, lone surrogates too (as the WTF-8 bytes a sloppy client sends,
 * e.g. `%ED%A0%80`), where encodeURIComponent throws.
 * @example encodeLoose('\ud800') // '%ED%A0%80'
 */
export function encodeLoose(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16).toUpperCase()}%${(0x80 | ((code >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`;
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

/** Whether fetch can send `value` as a header value (a ByteString without NUL, CR or LF). */
export function isSendableHeader(value: string): boolean {
  return /^[\t\u0020-\u007e\u0080-\u00ff]*$/.test(value);
}
