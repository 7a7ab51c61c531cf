// A small OTLP/HTTP receiver (JSON encoding) that keeps spans in memory: the trace page of
// `npm run dev` and the telemetry contract test read what the functions exported to it.
// Not a collector: no protobuf, no metrics or logs, nothing persisted.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as the functions exported it, flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer' | 'unspecified';
  /** `service.name` of the resource that exported it. */
  service: string;
  resource: Record<string, AttributeValue>;
  attributes: Record<string, AttributeValue>;
  links: { traceId: string; spanId: string }[];
  startTimeUnixNano: string;
  durationMs: number;
  status: 'unset' | 'ok' | 'error';
}

type AttributeValue = string | number | boolean | AttributeValue[] | undefined;

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpAttribute {
  key: string;
  value?: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpAttribute[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUSES = ['unset', 'ok', 'error'] as const;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

function attributeValue(value: OtlpValue | undefined): AttributeValue {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(attributeValue);
  return undefined;
}

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, attributeValue(a.value)]));
}

/** The spans of one OTLP/HTTP JSON export request. */
export function spansOfExport(body: OtlpTraces): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of body.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        const start = BigInt(span.startTimeUnixNano ?? 0);
        const end = BigInt(span.endTimeUnixNano ?? 0);
        spans.push({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId || undefined,
          name: span.name,
          kind: KINDS[span.kind ?? 0] ?? 'unspecified',
          service: String(resource['service.name'] ?? 'unknown'),
          resource,
          attributes: attributesOf(span.attributes),
          links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
          startTimeUnixNano: start.toString(),
          durationMs: Number(end - start) / 1e6,
          status: STATUSES[span.status?.code ?? 0] ?? 'unset',
        });
      }
    }
  }
  return spans;
}

/** A running receiver. */
export interface OtlpReceiver {
  /** The base URL to set as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** Every span received so far (the newest `maxSpans`). */
  spans(): readonly ReceivedSpan[];
  /** The spans of one trace, oldest first. */
  trace(traceId: string): ReceivedSpan[];
  /** Trace ids of the spans that carry `shop.request_id` = `requestId`. */
  tracesOfRequest(requestId: string): string[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts the receiver on `port` (0: a free one) at 127.0.0.1; `POST /v1/traces` takes OTLP JSON
 * (set `OTEL_EXPORTER_OTLP_PROTOCOL=http/json` on the exporters).
 * @example const otlp = await startOtlpReceiver(); env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.url;
 */
export async function startOtlpReceiver(
  options: {
    port?: number;
    maxSpans?: number;
    /** Spans of this process (the SDK's memory exporter), shown with the received ones. */
    localSpans?: () => readonly ReceivedSpan[];
    /** Serve `GET /traces` (the dev trace pages, text/plain). */
    pages?: boolean;
  } = {},
): Promise<OtlpReceiver> {
  const maxSpans = options.maxSpans ?? 50_000;
  const received: ReceivedSpan[] = [];
  const all = () => [...(options.localSpans?.() ?? []), ...received];
  const server: Server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = req.url?.split('?')[0] ?? '/';
    if (options.pages && req.method === 'GET' && path.startsWith('/traces')) {
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(tracePage(new URL(req.url ?? '/', 'http://localhost'), all(), trace));
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/traces') {
      answer(404, { message: 'only POST /v1/traces (OTLP JSON) is served here' });
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      answer(415, { message: 'OTLP JSON only: set OTEL_EXPORTER_OTLP_PROTOCOL=http/json' });
      return;
    }
    readBody(req)
      .then((text) => {
        received.push(...spansOfExport(JSON.parse(text) as OtlpTraces));
        if (received.length > maxSpans) received.splice(0, received.length - maxSpans);
        answer(200, {});
      })
      .catch((error: unknown) => answer(400, { message: String(error) }));
  });
  function trace(traceId: string): ReceivedSpan[] {
    return all()
      .filter((span) => span.traceId === traceId)
      .sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
  }
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: all,
    trace,
    tracesOfRequest: (requestId) => tracesOfRequest(all(), requestId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * One trace as an indented tree, a line per span: service, kind, name, duration, status.
 * @example console.log(formatTrace(otlp.trace(traceId)));
 */
export function formatTrace(spans: readonly ReceivedSpan[]): string {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | undefined, ReceivedSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const status = span.status === 'error' ? '  ERROR' : '';
      const links = span.links.length > 0 ? `  (links ${span.links.length})` : '';
      lines.push(
        `${'  '.repeat(depth)}${span.service}  ${span.kind}  ${span.name}  ${span.durationMs.toFixed(1)} ms${status}${links}`,
      );
      walk(span.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

function tracesOfRequest(spans: readonly ReceivedSpan[], requestId: string): string[] {
  return [
    ...new Set(
      spans
        .filter((span) => span.attributes['shop.request_id'] === requestId)
        .map((s) => s.traceId),
    ),
  ];
}

/**
 * The dev trace pages: `/traces?request_id=<x-request-id>` (the id every log line and answer
 * carries), `/traces/<trace id>`, or `/traces` for the newest traces.
 */
function tracePage(
  url: URL,
  spans: readonly ReceivedSpan[],
  trace: (traceId: string) => ReceivedSpan[],
): string {
  const requestId = url.searchParams.get('request_id');
  const traceId = url.pathname.split('/')[2];
  const ids = requestId ? tracesOfRequest(spans, requestId) : traceId ? [traceId] : [];
  if (requestId || traceId) {
    if (ids.length === 0)
      return `No trace of ${requestId ? `request ${requestId}` : traceId} yet.\n`;
    return ids.map((id) => `trace ${id}\n${formatTrace(trace(id))}\n`).join('\n');
  }
  // The newest 50 traces, by their root span.
  const roots = spans
    .filter((span) => !span.parentSpanId)
    .sort((a, b) => (BigInt(a.startTimeUnixNano) > BigInt(b.startTimeUnixNano) ? -1 : 1))
    .slice(0, 50);
  const lines = roots.map((span) => {
    const request = span.attributes['shop.request_id'];
    return `${span.traceId}  ${span.service}  ${span.name}  ${span.durationMs.toFixed(1)} ms${request ? `  request ${request}` : ''}`;
  });
  return [
    `${spans.length} spans kept. /traces?request_id=<x-request-id> or /traces/<trace id> shows one trace.`,
    '',
    ...lines,
    '',
  ].join('\n');
}

/** What this module reads of an SDK `ReadableSpan` (structurally, to need no SDK types). */
export interface ReadableSpanLike {
  name: string;
  kind: number;
  spanContext(): { traceId: string; spanId: string };
  parentSpanContext?: { spanId: string } | undefined;
  attributes: Record<string, unknown>;
  links: { context: { traceId: string; spanId: string } }[];
  startTime: [number, number];
  duration: [number, number];
  status: { code: number };
  resource: { attributes: Record<string, unknown> };
}

/** A span of this process's SDK (memory exporter) in the receiver's shape. */
export function receivedSpanOf(span: ReadableSpanLike): ReceivedSpan {
  const { traceId, spanId } = span.spanContext();
  const resource = span.resource.attributes as Record<string, AttributeValue>;
  return {
    traceId,
    spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    // The API's SpanKind starts at INTERNAL = 0; OTLP's at UNSPECIFIED = 0.
    kind: KINDS[span.kind + 1] ?? 'unspecified',
    service: String(resource['service.name'] ?? 'unknown'),
    resource,
    attributes: span.attributes as Record<string, AttributeValue>,
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
    })),
    startTimeUnixNano: (
      BigInt(span.startTime[0]) * 1_000_000_000n +
      BigInt(span.startTime[1])
    ).toString(),
    durationMs: span.duration[0] * 1000 + span.duration[1] / 1e6,
    status: STATUSES[span.status.code] ?? 'unset',
  };
}
