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
  options: { port?: number; maxSpans?: number } = {},
): Promise<OtlpReceiver> {
  const maxSpans = options.maxSpans ?? 50_000;
  const received: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces') {
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
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const trace = (traceId: string) =>
    received
      .filter((span) => span.traceId === traceId)
      .sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => received,
    trace,
    tracesOfRequest: (requestId) => [
      ...new Set(
        received
          .filter((span) => span.attributes['shop.request_id'] === requestId)
          .map((span) => span.traceId),
      ),
    ],
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
