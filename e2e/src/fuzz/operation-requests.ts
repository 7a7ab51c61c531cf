// Requests for one OpenAPI operation: parameters and bodies from its schemas, mostly valid or
// with one mutation, and the raw shapes no schema describes (broken JSON, deep nesting, other
// content types, odd percent-encodings).
import fc from 'fast-check';
import {
  EDGE_NUMBERS,
  EDGE_STRINGS,
  encodeLoose,
  fuzzedValueFor,
  isSendableHeader,
  type Schema,
  type SchemaContext,
  valueFor,
} from './arbitraries.js';

/** One operation of the merged OpenAPI document. */
export interface Operation {
  method: string;
  /** The path template, e.g. `/api/admin/users/{id}`. */
  path: string;
  parameters: { name: string; in: string; required?: boolean; schema?: Schema }[];
  body?: { required: boolean; schema: Schema | undefined; contentType: string };
}

/** A request as the fuzzer sends it. */
export interface FuzzRequest {
  method: string;
  /** Path and query, already percent-encoded. */
  target: string;
  headers: Record<string, string>;
  body?: string;
}

/** Computes a header from the body (a webhook signature with a known secret). */
export type Signer = (body: string, headers: Record<string, string>) => Record<string, string>;

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/**
 * Every operation of an OpenAPI document (3.0 or 3.1), path-level parameters included.
 * @example operationsOf(await (await fetch(`${gateway}/openapi.json`)).json()).length // 41
 */
export function operationsOf(document: Record<string, unknown>): Operation[] {
  const operations: Operation[] = [];
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  for (const [path, item] of Object.entries(paths)) {
    const shared = (item.parameters ?? []) as Operation['parameters'];
    for (const method of METHODS) {
      const operation = item[method] as Record<string, unknown> | undefined;
      if (!operation) continue;
      const parameters = [...shared, ...((operation.parameters ?? []) as Operation['parameters'])];
      const requestBody = operation.requestBody as
        | { required?: boolean; content?: Record<string, { schema?: Schema }> }
        | undefined;
      const [contentType, media] = Object.entries(requestBody?.content ?? {})[0] ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters,
        ...(contentType && {
          body: { required: requestBody?.required ?? false, schema: media?.schema, contentType },
        }),
      });
    }
  }
  return operations;
}

/** The `$ref` lookup, enum values and examples of a document, for {@link SchemaContext}. */
export function documentContext(
  document: Record<string, unknown>,
  uuids: readonly string[],
): SchemaContext {
  const words = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.example === 'string') words.add(record.example);
      if (Array.isArray(record.enum)) {
        for (const value of record.enum) if (typeof value === 'string') words.add(value);
      }
      Object.values(record).forEach(visit);
    }
  };
  visit(document);
  return {
    resolve(ref) {
      const parts = ref.replace(/^#\//, '').split('/');
      let node: unknown = document;
      for (const part of parts) node = (node as Record<string, unknown> | undefined)?.[part];
      return node as Schema | undefined;
    },
    uuids,
    words: [...words].slice(0, 500),
  };
}

const ODD_PATH_SEGMENTS = [
  '',
  '%00',
  '%ED%A0%80',
  '%zz',
  '%',
  '..',
  '%2e%2e',
  '%2F',
  'a%2Fb',
  '%20',
  'x'.repeat(3000),
  '0',
  '-1',
  '1e308',
  'null',
  '00000000-0000-0000-0000-000000000000',
];

const RAW_QUERIES = [
  '&&&',
  '=',
  '%',
  'a=%zz',
  'q=%ED%A0%80',
  'cursor=%00',
  'limit=1&limit=2',
  '__proto__=1',
];

const BROKEN_JSON = [
  '{',
  '{"a":',
  '[1,',
  'nul',
  '"\\ud800"',
  '{"a":"\\u0000"}',
  '{"a":1}garbage',
  '',
  ' ',
  '\u0000',
  '{"__proto__":{"polluted":true}}',
  '1e999',
  '-',
  '\ufeff{}',
  '{"a":1,"a":2}',
];

const OTHER_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/xml',
  'application/json, text/plain',
];

/** Nesting deep enough to break recursive parsers and validators. */
const DEEP_BODIES = [
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
  `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
];

function asParamString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const oddString = fc.oneof(
  fc.constantFrom(...EDGE_STRINGS),
  fc.constantFrom(...EDGE_NUMBERS).map(String),
);

function paramValue(schema: Schema | undefined, ctx: SchemaContext): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: valueFor(schema, ctx).map(asParamString) },
    { weight: 2, arbitrary: oddString },
  );
}

function headerValue(schema: Schema | undefined, ctx: SchemaContext): fc.Arbitrary<string> {
  return paramValue(schema, ctx).map((value) => (isSendableHeader(value) ? value : 'x\u00ff'));
}

const bodyArb = (operation: Operation, ctx: SchemaContext) => {
  const json = operation.body?.contentType.includes('json') ?? true;
  const contentType = operation.body?.contentType ?? 'application/json';
  const fromSchema = fuzzedValueFor(operation.body?.schema, ctx).map((value) => ({
    body: value === undefined ? '' : JSON.stringify(value),
    contentType,
  }));
  return fc.oneof(
    { weight: 8, arbitrary: fromSchema },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...BROKEN_JSON).map((body) => ({ body, contentType })),
    },
    {
      weight: 1,
      arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({
        body: JSON.stringify(value),
        contentType,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fromSchema, fc.constantFrom(...OTHER_CONTENT_TYPES, ''))
        .map(([{ body }, type]) => ({ body, contentType: type })),
    },
    {
      weight: json ? 1 : 0,
      arbitrary: fc.constantFrom(...DEEP_BODIES).map((body) => ({ body, contentType })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({ body: undefined as string | undefined, contentType: '' }),
    },
  );
};

/**
 * Requests for `operation`: each parameter from its schema or odd, sometimes left out (even a
 * required one) or joined by an unknown one, the body as {@link bodyArb} makes it; a signer
 * whose header the operation declares signs the body nine times in ten.
 * @example fc.sample(requestsFor(operation, ctx, { 'stripe-signature': signStripe }), 25)
 */
export function requestsFor(
  operation: Operation,
  ctx: SchemaContext,
  signers: Record<string, Signer> = {},
): fc.Arbitrary<FuzzRequest> {
  const byPlace = (place: string) => operation.parameters.filter((p) => p.in === place);
  const pathParams = byPlace('path');
  const queryParams = byPlace('query');
  const headerParams = byPlace('header');
  const optional = <T>(arb: fc.Arbitrary<T>, required: boolean | undefined) =>
    fc.option(arb, { nil: undefined, freq: required ? 10 : 2 });

  const path = fc
    .tuple(
      ...pathParams.map((param) =>
        fc.oneof(
          { weight: 4, arbitrary: paramValue(param.schema, ctx).map(encodeLoose) },
          { weight: 1, arbitrary: fc.constantFrom(...ODD_PATH_SEGMENTS) },
        ),
      ),
    )
    .map((values) =>
      pathParams.reduce(
        (template, param, index) => template.replace(`{${param.name}}`, values[index] ?? ''),
        operation.path,
      ),
    );
  const query = fc
    .tuple(
      fc.tuple(
        ...queryParams.map((param) => optional(paramValue(param.schema, ctx), param.required)),
      ),
      fc.option(fc.constantFrom(...RAW_QUERIES), { nil: undefined, freq: 6 }),
    )
    .map(([values, raw]) => {
      const pairs = queryParams.flatMap((param, index) => {
        const value = values[index];
        return value === undefined ? [] : [`${encodeLoose(param.name)}=${encodeLoose(value)}`];
      });
      if (raw) pairs.push(raw);
      return pairs.length > 0 ? `?${pairs.join('&')}` : '';
    });
  const headers = fc
    .tuple(...headerParams.map((param) => optional(headerValue(param.schema, ctx), param.required)))
    .map((values) =>
      Object.fromEntries(
        headerParams.flatMap((param, index) =>
          values[index] === undefined ? [] : [[param.name.toLowerCase(), values[index] as string]],
        ),
      ),
    );
  const body = operation.body
    ? bodyArb(operation, ctx)
    : fc.constant({ body: undefined as string | undefined, contentType: '' });
  const signed = Object.keys(signers).filter((name) =>
    headerParams.some((param) => param.name.toLowerCase() === name),
  );
  // Signed nine times in ten: an unsigned body only ever meets the signature check.
  const sign = fc.integer({ min: 1, max: 10 }).map((n) => n < 10);
  return fc.tuple(path, query, headers, body, sign).map(([p, q, h, b, shouldSign]) => {
    const all: Record<string, string> = { ...h };
    if (b.contentType) all['content-type'] = b.contentType;
    if (shouldSign && b.body !== undefined) {
      for (const name of signed) Object.assign(all, signers[name]?.(b.body, all));
    }
    return {
      method: operation.method,
      target: `${p}${q}`,
      headers: all,
      ...(b.body !== undefined && operation.method !== 'GET' && { body: b.body }),
    };
  });
}
