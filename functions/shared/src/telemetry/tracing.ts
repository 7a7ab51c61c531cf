// Tracing for every function, started by the preload (`node --import @shop/shared/telemetry/preload`)
// before the function's own modules load, so pg, ioredis, kafkajs and pino are instrumented when
// they are first imported. Settings are OpenTelemetry's standard environment variables:
//
// - OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): spans are exported over
//   OTLP (OTEL_EXPORTER_OTLP_PROTOCOL, default http/protobuf). Unset: nothing is exported and
//   spans are not recorded (ids are still made, so logs and downstream calls carry a trace id).
// - OTEL_TRACES_EXPORTER: `otlp`, `console`, `none`, or `memory` (ours: kept in a ring buffer in
//   the process, as `npm run dev` shows them at its trace page).
// - OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG: default `parentbased_traceidratio` with 1.0;
//   the cluster sets 0.1.
// - TRACE_PUBLIC_EDGE=true (the gateway): a caller's `sampled` flag is not obeyed, the ratio is.
// - OTEL_SERVICE_NAME, else K_SERVICE; K_REVISION and K_CONFIGURATION become resource attributes.
// - OTEL_SDK_DISABLED=true: no SDK at all.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type Attributes,
  type Context,
  context,
  DiagLogLevel,
  diag,
  isSpanContextValid,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK, resources, tracing } from '@opentelemetry/sdk-node';
import { type TraceExport, traceExportOf } from './export-kind.js';
import { flushSpans, markInstrumented } from './trace-context.js';

export { type TraceExport, traceExportOf };

type Env = Record<string, string | undefined>;

/** The running SDK: what it exports, and how to flush and stop it. */
export interface TelemetryHandle {
  readonly export: TraceExport | 'disabled';
  readonly serviceName: string;
  /** Exports what is buffered (a no-op without an exporter). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const MEMORY_SPANS = 20_000;

let memoryExporter: tracing.InMemorySpanExporter | undefined;

/** Spans kept in this process when OTEL_TRACES_EXPORTER=memory (the newest {@link MEMORY_SPANS}). */
export function recentSpans(): readonly tracing.ReadableSpan[] {
  return memoryExporter?.getFinishedSpans() ?? [];
}

/** A bounded in-memory exporter: the oldest spans go first. */
class RingExporter extends tracing.InMemorySpanExporter {
  override export(
    spans: tracing.ReadableSpan[],
    done: Parameters<tracing.InMemorySpanExporter['export']>[1],
  ): void {
    super.export(spans, done);
    const kept = this.getFinishedSpans();
    if (kept.length > MEMORY_SPANS) kept.splice(0, kept.length - MEMORY_SPANS);
  }
}

/** The name of the package that holds the entry script, without its scope (`@shop/offer` → `offer`). */
function packageNameOf(script: string | undefined): string | undefined {
  if (!script) return undefined;
  let dir = dirname(script);
  for (let depth = 0; depth < 6; depth++) {
    try {
      const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
      };
      if (name) return name.replace(/^@[^/]+\//, '');
    } catch {
      // no package.json here: look one level up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** The resource every span of this process carries (Knative's revision identity included). */
export function resourceAttributesOf(env: Env, script = process.argv[1]): Attributes {
  const serviceName = env.OTEL_SERVICE_NAME || env.K_SERVICE || packageNameOf(script) || 'shop';
  return {
    'service.name': serviceName,
    'service.namespace': env.POD_NAMESPACE || 'shop',
    ...(env.K_SERVICE && { 'faas.name': env.K_SERVICE }),
    ...(env.K_REVISION && { 'faas.version': env.K_REVISION, 'knative.revision': env.K_REVISION }),
    ...(env.K_CONFIGURATION && { 'knative.configuration': env.K_CONFIGURATION }),
    ...(env.SHOP_ENVIRONMENT && { 'deployment.environment.name': env.SHOP_ENVIRONMENT }),
  };
}

function processorsFor(kind: Exclude<TraceExport, 'none'>): tracing.SpanProcessor[] | undefined {
  switch (kind) {
    case 'memory':
      memoryExporter = new RingExporter();
      return [new tracing.SimpleSpanProcessor(memoryExporter)];
    case 'console':
      return [new tracing.SimpleSpanProcessor(new tracing.ConsoleSpanExporter())];
    case 'otlp':
      // undefined: the SDK builds the OTLP exporter and batch processor from OTEL_* itself.
      return undefined;
  }
}

/** The sampler `kind` and the environment ask for; undefined: the SDK reads OTEL_TRACES_SAMPLER. */
export function samplerFor(kind: TraceExport, env: Env): tracing.Sampler | undefined {
  if (kind === 'none')
    return new tracing.ParentBasedSampler({ root: new tracing.AlwaysOffSampler() });
  if (env.OTEL_TRACES_SAMPLER) return undefined; // the SDK reads OTEL_TRACES_SAMPLER(_ARG)
  const ratio = env.OTEL_TRACES_SAMPLER_ARG === undefined ? 1 : Number(env.OTEL_TRACES_SAMPLER_ARG);
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new Error(`OTEL_TRACES_SAMPLER_ARG=${env.OTEL_TRACES_SAMPLER_ARG}: expected 0..1`);
  }
  const ratioSampler = new tracing.TraceIdRatioBasedSampler(ratio);
  // At the public edge a client's `sampled` flag is not obeyed (anyone could make every
  // request traced); its trace id is still continued, so a client can find its requests.
  const edge = env.TRACE_PUBLIC_EDGE === 'true';
  return new tracing.ParentBasedSampler({
    root: ratioSampler,
    ...(edge && { remoteParentSampled: ratioSampler, remoteParentNotSampled: ratioSampler }),
  });
}

/**
 * The instrumentations of every function (none of them records query values or payloads). Server
 * spans come from the kit's app (`createServiceApp`), not OpenTelemetry's HTTP instrumentation,
 * which binds every request's and response's emitters to the context: in the offer and gateway
 * benches it alone cost more than the rest of tracing.
 */
function instrumentations() {
  return [
    new UndiciInstrumentation({
      ignoreRequestHook: (request) => passUnsampledThrough(request),
      // A query string can hold a reset token or a search a shopper typed: spans keep only its
      // parameter names (`?token=&q=`), never values.
      requestHook: (span, request) => {
        if (!span.isRecording()) return;
        const [path = '', query] = request.path.split('?', 2);
        span.setAttribute('url.full', `${request.origin}${path}${query ? '?…' : ''}`);
        if (query !== undefined) span.setAttribute('url.query', queryNames(query));
      },
    }),
    new PgInstrumentation({ enhancedDatabaseReporting: false }),
    // Only the command name: keys and arguments can hold session ids and tokens.
    new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
    new KafkaJsInstrumentation(),
    // trace_id, span_id and trace_flags on every log line; logs go to stdout (Loki), not OTLP.
    new PinoInstrumentation({ disableLogSending: true }),
  ];
}

/** The parts of undici's request (as its diagnostics channel hands it out) a header is added by. */
export interface UndiciRequestHeaders {
  addHeader?(name: string, value: string): unknown;
  headers?: string | (string | string[])[];
}

/**
 * The undici instrumentation's ignore hook. A call made inside a span that is not sampled gets
 * no client span (under the parent-based sampler its span could never be recorded), only the
 * trace context, written here as the W3C propagator would (`traceparent` with the sampled flag
 * off, `tracestate`), so the callee still joins the trace and does not sample it either. That
 * spares the 90 % of calls a 10 % ratio leaves unsampled the instrumentation's URL parsing,
 * header scan, span, and duration metric: in the gateway bench it was the largest cost of
 * tracing. Calls in a sampled span, or in none, are the instrumentation's as before.
 * @returns true when the instrumentation should leave the request alone
 */
export function passUnsampledThrough(
  request: UndiciRequestHeaders,
  active: Context = context.active(),
): boolean {
  const parent = trace.getSpanContext(active);
  if (!parent || !isSpanContextValid(parent)) return false;
  if (parent.traceFlags & TraceFlags.SAMPLED) return false;
  const flags = (parent.traceFlags & 0xff).toString(16).padStart(2, '0');
  addHeader(request, 'traceparent', `00-${parent.traceId}-${parent.spanId}-${flags}`);
  const state = parent.traceState?.serialize();
  if (state) addHeader(request, 'tracestate', state);
  return true;
}

/** As the instrumentation adds its headers, whatever undici's version hands out. */
function addHeader(request: UndiciRequestHeaders, name: string, value: string): void {
  if (typeof request.addHeader === 'function') request.addHeader(name, value);
  else if (typeof request.headers === 'string') request.headers += `${name}: ${value}\r\n`;
  else if (Array.isArray(request.headers)) request.headers.push(name, value);
}

/** `a=1&b=2` → `?a=&b=`: the parameter names of a query, without their values. */
export function queryNames(query: string): string {
  const names = query
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=', 1)[0]}=`);
  return `?${names.join('&')}`;
}

let running: TelemetryHandle | undefined;

/**
 * Starts OpenTelemetry for this process once (later calls return the same handle).
 * @example const telemetry = startTelemetry(process.env); await telemetry.shutdown();
 */
export function startTelemetry(env: Env = process.env): TelemetryHandle {
  if (running) return running;
  const serviceName = String(resourceAttributesOf(env)['service.name']);
  if (env.OTEL_SDK_DISABLED === 'true') {
    running = { export: 'disabled', serviceName, flush: async () => {}, shutdown: async () => {} };
    return running;
  }
  if (env.OTEL_LOG_LEVEL === undefined) {
    diag.setLogger({ ...console, verbose: () => {}, debug: () => {} }, DiagLogLevel.WARN);
  }
  const kind = traceExportOf(env);
  if (kind === 'none') {
    // Nothing would be exported: no SDK, no instrumentation, no cost. The kit passes the
    // traceparent a request or event came with on by hand.
    running = { export: 'none', serviceName, flush: async () => {}, shutdown: async () => {} };
    return running;
  }
  const spanProcessors = processorsFor(kind);
  const sampler = samplerFor(kind, env);
  const sdk = new NodeSDK({
    resource: resources.resourceFromAttributes(resourceAttributesOf(env)),
    resourceDetectors: [resources.envDetector],
    ...(spanProcessors && { spanProcessors }),
    ...(sampler && { sampler }),
    instrumentations: instrumentations(),
    // Metrics stay with prom-client (/metrics); logs with pino (stdout).
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  markInstrumented();
  running = {
    export: kind,
    serviceName,
    flush: flushSpans,
    shutdown: () => sdk.shutdown(),
  };
  return running;
}
